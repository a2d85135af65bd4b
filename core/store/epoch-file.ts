// The store's epoch record: which epoch's core holds the live store, the key its values are sealed
// under, where the epoch began in that core, and whether the previous epoch's core still has to be
// erased. It is rewritten atomically at each epoch change, so once the new record is on disk the
// previous epoch's key exists nowhere.
//
//   magic "CAIRNEP" (7) | version (1) | nonce (24) | XChaCha20-Poly1305(payload, AD = magic|version)
//   payload v1: epoch u32 LE | key (32) | startedAt u64 LE (ms) | erasePending u8
//   payload v2: v1 | startBlocks u64 LE | startBytes u64 LE
// The start is the size of the copy of the live entries the epoch began with: the epoch's bound
// counts the writes after it, so a store whose live entries outgrow the bound does not move again
// at once (v1 records, which lack it, read as a start of 0: one move, then v2).
import { readFile } from 'node:fs/promises'
import { CairnError } from '../api/errors'
import { AEAD_NONCE_BYTES, AEAD_TAG_BYTES, aeadOpen, aeadSeal, memzero, randomBytes } from '../crypto'
import { writeFileAtomic } from '../identity/atomic-file'
import { EPOCH_FILE_MAGIC as MAGIC } from '../protocol/caps'

export interface EpochRecord {
  epoch: number
  /** The random key this epoch's values are sealed under. */
  key: Buffer
  startedAt: number
  /** The previous epoch's core may still hold blocks (a crash came between the switch and the erase). */
  erasePending: boolean
  /** Blocks and bytes of the epoch's core when it began (the copied live entries). */
  startBlocks: number
  startBytes: number
}

const VERSION = 2
const V1_PAYLOAD_BYTES = 4 + 32 + 8 + 1
const PAYLOAD_BYTES: Record<number, number> = { 1: V1_PAYLOAD_BYTES, 2: V1_PAYLOAD_BYTES + 8 + 8 }
const header = (version: number) => Buffer.concat([MAGIC, Buffer.from([version])])
const fileBytes = (version: number) => MAGIC.byteLength + 1 + AEAD_NONCE_BYTES + PAYLOAD_BYTES[version] + AEAD_TAG_BYTES
export const EPOCH_FILE_BYTES = fileBytes(VERSION)

export function encodeEpochRecord(rec: EpochRecord, fileKey: Buffer): Buffer {
  const payload = Buffer.alloc(PAYLOAD_BYTES[VERSION])
  payload.writeUInt32LE(rec.epoch, 0)
  rec.key.copy(payload, 4)
  payload.writeBigUInt64LE(BigInt(rec.startedAt), 36)
  payload[44] = rec.erasePending ? 1 : 0
  payload.writeBigUInt64LE(BigInt(rec.startBlocks), 45)
  payload.writeBigUInt64LE(BigInt(rec.startBytes), 53)
  const nonce = randomBytes(AEAD_NONCE_BYTES)
  const head = header(VERSION)
  const sealed = aeadSeal(payload, head, nonce, fileKey)
  memzero(payload)
  return Buffer.concat([head, nonce, sealed])
}

export function decodeEpochRecord(bytes: Buffer, fileKey: Buffer): EpochRecord {
  const corrupt = (what: string) => new CairnError('corrupt-profile', `the store epoch file ${what}`)
  if (bytes.byteLength <= MAGIC.byteLength) throw corrupt(`has ${bytes.byteLength} bytes`)
  if (!bytes.subarray(0, MAGIC.byteLength).equals(MAGIC)) throw corrupt('has an unknown signature')
  const version = bytes[MAGIC.byteLength]
  if (PAYLOAD_BYTES[version] === undefined) throw corrupt(`has version ${version}, this build reads 1 to ${VERSION}`)
  if (bytes.byteLength !== fileBytes(version)) throw corrupt(`has ${bytes.byteLength} bytes, ${fileBytes(version)} expected`)
  const head = header(version)
  const nonce = bytes.subarray(head.byteLength, head.byteLength + AEAD_NONCE_BYTES)
  const payload = aeadOpen(bytes.subarray(head.byteLength + AEAD_NONCE_BYTES), head, nonce, fileKey)
  if (!payload) throw corrupt('failed authentication (damaged, or from another profile)')
  try {
    return {
      epoch: payload.readUInt32LE(0),
      key: Buffer.from(payload.subarray(4, 36)),
      startedAt: Number(payload.readBigUInt64LE(36)),
      erasePending: payload[44] === 1,
      startBlocks: version >= 2 ? Number(payload.readBigUInt64LE(45)) : 0,
      startBytes: version >= 2 ? Number(payload.readBigUInt64LE(53)) : 0
    }
  } finally {
    memzero(payload)
  }
}

/** The record, or null for a profile still in its first epoch (written before epochs existed, or never rotated). */
export async function readEpochFile(file: string, fileKey: Buffer): Promise<EpochRecord | null> {
  let bytes: Buffer
  try {
    bytes = await readFile(file)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
  return decodeEpochRecord(bytes, fileKey)
}

export async function writeEpochFile(file: string, rec: EpochRecord, fileKey: Buffer): Promise<void> {
  await writeFileAtomic(file, encodeEpochRecord(rec, fileKey), false)
}

// The store's epoch record: which epoch's core holds the live store, the key its values are sealed
// under, and whether the previous epoch's core still has to be erased. It is rewritten atomically
// at each epoch change, so once the new record is on disk the previous epoch's key exists nowhere.
//
//   magic "CAIRNEP" (7) | version (1) | nonce (24) | XChaCha20-Poly1305(payload, AD = magic|version)
//   payload: epoch u32 LE | key (32) | startedAt u64 LE (ms) | erasePending u8
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
}

const VERSION = 1
const HEADER = Buffer.concat([MAGIC, Buffer.from([VERSION])])
const PAYLOAD_BYTES = 4 + 32 + 8 + 1
export const EPOCH_FILE_BYTES = HEADER.byteLength + AEAD_NONCE_BYTES + PAYLOAD_BYTES + AEAD_TAG_BYTES

export function encodeEpochRecord(rec: EpochRecord, fileKey: Buffer): Buffer {
  const payload = Buffer.alloc(PAYLOAD_BYTES)
  payload.writeUInt32LE(rec.epoch, 0)
  rec.key.copy(payload, 4)
  payload.writeBigUInt64LE(BigInt(rec.startedAt), 36)
  payload[44] = rec.erasePending ? 1 : 0
  const nonce = randomBytes(AEAD_NONCE_BYTES)
  const sealed = aeadSeal(payload, HEADER, nonce, fileKey)
  memzero(payload)
  return Buffer.concat([HEADER, nonce, sealed])
}

export function decodeEpochRecord(bytes: Buffer, fileKey: Buffer): EpochRecord {
  const corrupt = (what: string) => new CairnError('corrupt-profile', `the store epoch file ${what}`)
  if (bytes.byteLength !== EPOCH_FILE_BYTES) throw corrupt(`has ${bytes.byteLength} bytes, ${EPOCH_FILE_BYTES} expected`)
  if (!bytes.subarray(0, MAGIC.byteLength).equals(MAGIC)) throw corrupt('has an unknown signature')
  if (bytes[MAGIC.byteLength] !== VERSION) throw corrupt(`has version ${bytes[MAGIC.byteLength]}, this build reads ${VERSION}`)
  const nonce = bytes.subarray(HEADER.byteLength, HEADER.byteLength + AEAD_NONCE_BYTES)
  const payload = aeadOpen(bytes.subarray(HEADER.byteLength + AEAD_NONCE_BYTES), HEADER, nonce, fileKey)
  if (!payload) throw corrupt('failed authentication (damaged, or from another profile)')
  try {
    return {
      epoch: payload.readUInt32LE(0),
      key: Buffer.from(payload.subarray(4, 36)),
      startedAt: Number(payload.readBigUInt64LE(36)),
      erasePending: payload[44] === 1
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

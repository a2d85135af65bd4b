// Secrets sealed under a passphrase: the body of the keystore file and of a backup.
//
//   magic "CAIRNKS" (7) | version (1) | opslimit u32 | memlimit u32 | salt (16) | nonce (24)
//   | ciphertext (XChaCha20-Poly1305 of the payload, AD = everything before it) | checksum (16)
//
// The trailing BLAKE2b checksum is not a security measure (the AEAD is): it tells a damaged file
// ('corrupt') apart from a wrong passphrase, which would otherwise look the same. The Argon2id
// limits travel in the header, so the keystore (opened at every unlock) and a backup (opened once,
// and the one most likely to be copied away) can use different costs under the same format.
import { CairnError } from '../api/errors'
import type { ErrorCode } from '../api/types'
import {
  AEAD_NONCE_BYTES,
  AEAD_TAG_BYTES,
  PWHASH_MEMLIMIT_INTERACTIVE,
  PWHASH_MEMLIMIT_SENSITIVE,
  PWHASH_OPSLIMIT_INTERACTIVE,
  PWHASH_OPSLIMIT_SENSITIVE,
  PWHASH_SALT_BYTES,
  aeadOpen,
  aeadSeal,
  argon2id,
  blake2b,
  memzero,
  randomBytes
} from '../crypto'
import { SEALED_MAGIC as MAGIC } from '../protocol/caps'

export interface PwhashLimits {
  opslimit: number
  memlimit: number
}

/** The keystore is opened at every unlock: libsodium's interactive limits (2 passes, 64 MiB). */
export const KEYSTORE_LIMITS: PwhashLimits = { opslimit: PWHASH_OPSLIMIT_INTERACTIVE, memlimit: PWHASH_MEMLIMIT_INTERACTIVE }
/** A backup is opened once and travels: libsodium's moderate limits (3 passes, 256 MiB). */
export const BACKUP_LIMITS: PwhashLimits = { opslimit: 3, memlimit: 256 * 1024 * 1024 }

const VERSION = 1
const HEADER_BYTES = MAGIC.byteLength + 1 + 4 + 4 + PWHASH_SALT_BYTES + AEAD_NONCE_BYTES
const CHECKSUM_BYTES = 16
const MIN_BYTES = HEADER_BYTES + AEAD_TAG_BYTES + CHECKSUM_BYTES
export const MAX_PAYLOAD_BYTES = 64 + 32 + 1024 + 16
export const MAX_SEALED_BYTES = MIN_BYTES + MAX_PAYLOAD_BYTES

function checkPassphrase(passphrase: string): Buffer {
  if (typeof passphrase !== 'string' || passphrase.length === 0) {
    throw new CairnError('invalid-argument', 'the passphrase must not be empty')
  }
  return Buffer.from(passphrase.normalize('NFC'))
}

async function deriveKey(passphrase: Buffer, salt: Uint8Array, limits: PwhashLimits): Promise<Buffer> {
  try {
    return await argon2id(32, passphrase, salt, limits.opslimit, limits.memlimit)
  } finally {
    memzero(passphrase)
  }
}

/** Seals an encoded payload; the caller wipes its own copy of the payload. */
export async function seal(payload: Buffer, passphrase: string, limits: PwhashLimits): Promise<Buffer> {
  const password = checkPassphrase(passphrase)
  const header = Buffer.alloc(HEADER_BYTES)
  MAGIC.copy(header, 0)
  let at = MAGIC.byteLength
  header[at++] = VERSION
  at = header.writeUInt32LE(limits.opslimit, at)
  at = header.writeUInt32LE(limits.memlimit, at)
  const salt = randomBytes(PWHASH_SALT_BYTES)
  at += salt.copy(header, at)
  const nonce = randomBytes(AEAD_NONCE_BYTES)
  nonce.copy(header, at)
  const key = await deriveKey(password, salt, limits)
  const ciphertext = aeadSeal(payload, header, nonce, key)
  memzero(key)
  const body = Buffer.concat([header, ciphertext])
  return Buffer.concat([body, blake2b(CHECKSUM_BYTES, body)])
}

/**
 * Opens a sealed payload (the caller decodes and wipes it). `corruptCode` is what a damaged blob is
 * reported as: 'corrupt-profile' for the keystore file, 'invalid-argument' for a pasted backup.
 */
export async function unseal(sealed: Uint8Array, passphrase: string, corruptCode: ErrorCode): Promise<Buffer> {
  const corrupt = (what: string) => new CairnError(corruptCode, what)
  const blob = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength)
  const signature = Math.min(blob.byteLength, MAGIC.byteLength)
  if (!blob.subarray(0, signature).equals(MAGIC.subarray(0, signature))) {
    throw corrupt('not a Cairn keystore (unknown file signature)')
  }
  if (blob.byteLength <= MAGIC.byteLength) throw corrupt(`truncated: only ${blob.byteLength} bytes`)
  const version = blob[MAGIC.byteLength]
  if (version !== VERSION) throw corrupt(`unsupported keystore version ${version} (this build reads version ${VERSION})`)
  if (blob.byteLength < MIN_BYTES) throw corrupt(`truncated: ${blob.byteLength} bytes, at least ${MIN_BYTES} expected`)
  if (blob.byteLength > MAX_SEALED_BYTES) throw corrupt(`too large: ${blob.byteLength} bytes, at most ${MAX_SEALED_BYTES} expected`)
  const body = blob.subarray(0, blob.byteLength - CHECKSUM_BYTES)
  if (!blake2b(CHECKSUM_BYTES, body).equals(blob.subarray(body.byteLength))) {
    throw corrupt('checksum mismatch: the data is damaged (truncated or altered)')
  }
  let at = MAGIC.byteLength + 1
  const limits = { opslimit: blob.readUInt32LE(at), memlimit: blob.readUInt32LE(at + 4) }
  at += 8
  if (
    limits.opslimit < PWHASH_OPSLIMIT_INTERACTIVE ||
    limits.opslimit > PWHASH_OPSLIMIT_SENSITIVE ||
    limits.memlimit < PWHASH_MEMLIMIT_INTERACTIVE ||
    limits.memlimit > PWHASH_MEMLIMIT_SENSITIVE
  ) {
    throw corrupt(`key derivation limits out of range (${limits.opslimit} passes, ${limits.memlimit} bytes)`)
  }
  const salt = blob.subarray(at, at + PWHASH_SALT_BYTES)
  const nonce = blob.subarray(at + PWHASH_SALT_BYTES, HEADER_BYTES)
  const key = await deriveKey(checkPassphrase(passphrase), salt, limits)
  const payload = aeadOpen(body.subarray(HEADER_BYTES), body.subarray(0, HEADER_BYTES), nonce, key)
  memzero(key)
  if (!payload) throw new CairnError('wrong-passphrase', 'wrong passphrase')
  return payload
}

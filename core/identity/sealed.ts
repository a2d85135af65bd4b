// The identity secrets sealed under a passphrase: the body of the keystore file and of a backup.
//
//   magic "CAIRNKS" (7) | version (1) | opslimit u32 | memlimit u32 | salt (16) | nonce (24)
//   | ciphertext (XChaCha20-Poly1305 of the payload, AD = everything before it) | checksum (16)
//
// The trailing BLAKE2b checksum is not a security measure (the AEAD is): it tells a damaged file
// ('corrupt') apart from a wrong passphrase, which would otherwise look the same.
import * as c from 'compact-encoding'
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
  ed25519KeyPair,
  memzero,
  randomBytes
} from '../crypto'
import { SEALED_MAGIC as MAGIC } from '../protocol/caps'
import { DecodeError, decodeExact } from '../protocol/decode'
import type { IdentityKeyPair } from './keys'

export interface KeystoreSecrets {
  identity: IdentityKeyPair
  /** 32 random bytes: the key the local store is encrypted under. */
  storageKey: Buffer
  name: string
}

const VERSION = 1
const PAYLOAD_VERSION = 1
const HEADER_BYTES = MAGIC.byteLength + 1 + 4 + 4 + PWHASH_SALT_BYTES + AEAD_NONCE_BYTES
const CHECKSUM_BYTES = 16
const MAX_NAME_BYTES = 1024
const MIN_BYTES = HEADER_BYTES + AEAD_TAG_BYTES + CHECKSUM_BYTES
export const MAX_SEALED_BYTES = MIN_BYTES + 64 + 32 + MAX_NAME_BYTES + 16

interface Payload {
  seed: Uint8Array
  storageKey: Uint8Array
  name: string
}

const payloadEncoding = {
  preencode(state: c.State, p: Payload) {
    c.uint8.preencode(state, PAYLOAD_VERSION)
    c.fixed32.preencode(state, p.seed)
    c.fixed32.preencode(state, p.storageKey)
    c.string.preencode(state, p.name)
  },
  encode(state: c.State, p: Payload) {
    c.uint8.encode(state, PAYLOAD_VERSION)
    c.fixed32.encode(state, p.seed)
    c.fixed32.encode(state, p.storageKey)
    c.string.encode(state, p.name)
  },
  decode(state: c.State): Payload {
    const version = c.uint8.decode(state)
    if (version !== PAYLOAD_VERSION) throw new DecodeError(`unsupported payload version ${version}`, 'unsupported-version')
    return { seed: c.fixed32.decode(state), storageKey: c.fixed32.decode(state), name: c.string.decode(state) }
  }
}

function checkSecrets(secrets: KeystoreSecrets): void {
  const { identity, storageKey, name } = secrets
  if (identity?.secretKey?.byteLength !== 64 || identity.publicKey?.byteLength !== 32) {
    throw new CairnError('invalid-argument', 'the identity must be an Ed25519 key pair (32-byte public, 64-byte secret)')
  }
  if (!identity.secretKey.subarray(32).equals(identity.publicKey)) {
    throw new CairnError('invalid-argument', 'the identity public key does not belong to its secret key')
  }
  if (storageKey?.byteLength !== 32) throw new CairnError('invalid-argument', 'the storage key must be 32 bytes')
  if (typeof name !== 'string' || Buffer.byteLength(name) > MAX_NAME_BYTES) {
    throw new CairnError('invalid-argument', `the name must be text of at most ${MAX_NAME_BYTES} bytes`)
  }
}

function checkPassphrase(passphrase: string): Buffer {
  if (typeof passphrase !== 'string' || passphrase.length === 0) {
    throw new CairnError('invalid-argument', 'the passphrase must not be empty')
  }
  return Buffer.from(passphrase.normalize('NFC'))
}

async function deriveKey(passphrase: Buffer, salt: Uint8Array, opslimit: number, memlimit: number): Promise<Buffer> {
  try {
    return await argon2id(32, passphrase, salt, opslimit, memlimit)
  } finally {
    memzero(passphrase)
  }
}

export async function seal(secrets: KeystoreSecrets, passphrase: string): Promise<Buffer> {
  checkSecrets(secrets)
  const password = checkPassphrase(passphrase)
  const header = Buffer.alloc(HEADER_BYTES)
  MAGIC.copy(header, 0)
  let at = MAGIC.byteLength
  header[at++] = VERSION
  at = header.writeUInt32LE(PWHASH_OPSLIMIT_INTERACTIVE, at)
  at = header.writeUInt32LE(PWHASH_MEMLIMIT_INTERACTIVE, at)
  const salt = randomBytes(PWHASH_SALT_BYTES)
  at += salt.copy(header, at)
  const nonce = randomBytes(AEAD_NONCE_BYTES)
  nonce.copy(header, at)

  const payload = Buffer.from(
    c.encode(payloadEncoding, {
      seed: secrets.identity.secretKey.subarray(0, 32),
      storageKey: secrets.storageKey,
      name: secrets.name
    })
  )
  const key = await deriveKey(password, salt, PWHASH_OPSLIMIT_INTERACTIVE, PWHASH_MEMLIMIT_INTERACTIVE)
  const ciphertext = aeadSeal(payload, header, nonce, key)
  memzero(key)
  memzero(payload)
  const body = Buffer.concat([header, ciphertext])
  return Buffer.concat([body, blake2b(CHECKSUM_BYTES, body)])
}

/**
 * Opens sealed secrets. `corruptCode` is what a damaged blob is reported as: 'corrupt-profile' for
 * the keystore file, 'invalid-argument' for a pasted backup.
 */
export async function unseal(sealed: Uint8Array, passphrase: string, corruptCode: ErrorCode): Promise<KeystoreSecrets> {
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
  const opslimit = blob.readUInt32LE(at)
  const memlimit = blob.readUInt32LE(at + 4)
  at += 8
  if (
    opslimit < PWHASH_OPSLIMIT_INTERACTIVE ||
    opslimit > PWHASH_OPSLIMIT_SENSITIVE ||
    memlimit < PWHASH_MEMLIMIT_INTERACTIVE ||
    memlimit > PWHASH_MEMLIMIT_SENSITIVE
  ) {
    throw corrupt(`key derivation limits out of range (${opslimit} passes, ${memlimit} bytes)`)
  }
  const salt = blob.subarray(at, at + PWHASH_SALT_BYTES)
  const nonce = blob.subarray(at + PWHASH_SALT_BYTES, HEADER_BYTES)
  const password = checkPassphrase(passphrase)
  const key = await deriveKey(password, salt, opslimit, memlimit)
  const payload = aeadOpen(body.subarray(HEADER_BYTES), body.subarray(0, HEADER_BYTES), nonce, key)
  memzero(key)
  if (!payload) throw new CairnError('wrong-passphrase', 'wrong passphrase')
  try {
    const p = decodeExact(c.state(0, payload.byteLength, payload), payloadEncoding.decode, {
      truncated: 'the payload is truncated',
      trailing: (count) => `${count} trailing bytes after the payload`
    })
    const identity = ed25519KeyPair(p.seed)
    return { identity, storageKey: Buffer.from(p.storageKey), name: p.name }
  } catch (err) {
    throw corrupt(`the sealed secrets cannot be read: ${(err as Error).message}`)
  } finally {
    memzero(payload)
  }
}

// What is sealed: the keystore's payload (identity, storage key, name) and a backup's (identity and
// name only). A backup never carries the storage key: restore makes a new one, and a backup plus an
// old copy of the profile folder must not open the stored history.
//
//   keystore payload v1: 0x01 | seed (32) | storageKey (32) | name (compact string)
//   backup payload v2:   0x02 | seed (32) | name (compact string)
// Backups written before v2 carry the keystore payload; they are read, and the storage key dropped.
import * as c from 'compact-encoding'
import { CairnError } from '../api/errors'
import { ed25519KeyPair, memzero } from '../crypto'
import { DecodeError, decodeExact } from '../protocol/decode'
import type { IdentityKeyPair } from './keys'

export interface IdentitySecrets {
  identity: IdentityKeyPair
  name: string
}

export interface KeystoreSecrets extends IdentitySecrets {
  /** 32 random bytes: the key the local store is encrypted under. */
  storageKey: Buffer
}

const KEYSTORE_PAYLOAD = 1
const BACKUP_PAYLOAD = 2
const MAX_NAME_BYTES = 1024

function checkIdentity({ identity, name }: IdentitySecrets): void {
  if (identity?.secretKey?.byteLength !== 64 || identity.publicKey?.byteLength !== 32) {
    throw new CairnError('invalid-argument', 'the identity must be an Ed25519 key pair (32-byte public, 64-byte secret)')
  }
  if (!identity.secretKey.subarray(32).equals(identity.publicKey)) {
    throw new CairnError('invalid-argument', 'the identity public key does not belong to its secret key')
  }
  if (typeof name !== 'string' || Buffer.byteLength(name) > MAX_NAME_BYTES) {
    throw new CairnError('invalid-argument', `the name must be text of at most ${MAX_NAME_BYTES} bytes`)
  }
}

export function encodeKeystorePayload(secrets: KeystoreSecrets): Buffer {
  checkIdentity(secrets)
  if (secrets.storageKey?.byteLength !== 32) throw new CairnError('invalid-argument', 'the storage key must be 32 bytes')
  const state = c.state()
  const seed = secrets.identity.secretKey.subarray(0, 32)
  c.uint8.preencode(state, KEYSTORE_PAYLOAD)
  c.fixed32.preencode(state, seed)
  c.fixed32.preencode(state, secrets.storageKey)
  c.string.preencode(state, secrets.name)
  state.buffer = Buffer.alloc(state.end)
  c.uint8.encode(state, KEYSTORE_PAYLOAD)
  c.fixed32.encode(state, seed)
  c.fixed32.encode(state, secrets.storageKey)
  c.string.encode(state, secrets.name)
  return state.buffer as Buffer
}

export function encodeBackupPayload(secrets: IdentitySecrets): Buffer {
  checkIdentity(secrets)
  const state = c.state()
  const seed = secrets.identity.secretKey.subarray(0, 32)
  c.uint8.preencode(state, BACKUP_PAYLOAD)
  c.fixed32.preencode(state, seed)
  c.string.preencode(state, secrets.name)
  state.buffer = Buffer.alloc(state.end)
  c.uint8.encode(state, BACKUP_PAYLOAD)
  c.fixed32.encode(state, seed)
  c.string.encode(state, secrets.name)
  return state.buffer as Buffer
}

interface Decoded {
  seed: Uint8Array
  storageKey: Uint8Array | null
  name: string
}

function read(state: c.State): Decoded {
  const version = c.uint8.decode(state)
  if (version !== KEYSTORE_PAYLOAD && version !== BACKUP_PAYLOAD) {
    throw new DecodeError(`unsupported payload version ${version}`, 'unsupported-version')
  }
  const seed = c.fixed32.decode(state)
  const storageKey = version === KEYSTORE_PAYLOAD ? c.fixed32.decode(state) : null
  return { seed, storageKey, name: c.string.decode(state) }
}

function decode(payload: Buffer): Decoded {
  return decodeExact(c.state(0, payload.byteLength, payload), read, {
    truncated: 'the payload is truncated',
    trailing: (count) => `${count} trailing bytes after the payload`
  })
}

/** Decodes and wipes an opened payload; a damaged one is reported under `corruptCode`. */
function decodeAndWipe<T>(payload: Buffer, corruptCode: 'corrupt-profile' | 'invalid-argument', use: (d: Decoded) => T): T {
  try {
    return use(decode(payload))
  } catch (err) {
    if (err instanceof CairnError) throw err
    throw new CairnError(corruptCode, `the sealed secrets cannot be read: ${(err as Error).message}`)
  } finally {
    memzero(payload)
  }
}

export function decodeKeystorePayload(payload: Buffer): KeystoreSecrets {
  return decodeAndWipe(payload, 'corrupt-profile', (d) => {
    if (!d.storageKey) throw new CairnError('corrupt-profile', 'the keystore holds no storage key')
    return { identity: ed25519KeyPair(d.seed), storageKey: Buffer.from(d.storageKey), name: d.name }
  })
}

/** A backup's identity; the storage key an old backup carries is wiped, never returned. */
export function decodeBackupPayload(payload: Buffer): IdentitySecrets {
  return decodeAndWipe(payload, 'invalid-argument', (d) => ({ identity: ed25519KeyPair(d.seed), name: d.name }))
}

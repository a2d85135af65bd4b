// One-time prekeys (X3DH's OPK): each is handed to one initiator, by my home node while I am away,
// and its secret is deleted as soon as the session it started is committed, so that first message
// gains forward secrecy against a later theft of my identity key and signed prekey, and a replay of
// it finds the key gone.
//
//   one-time prekey (local, for the store): version (1) | id u32 | public (32) | secret (32)
//   published one-time prekey:              version (1) | id u32 | public (32) | signature (64)
//
// The signature (by the identity key, over a domain tag, the id and the key) lets an initiator
// check that a home node serves my key; one a box made up is refused and the start goes on without.
import * as c from 'compact-encoding'
import { isEd25519PublicKey, sign, verify, x25519KeyPair, x25519PublicKey } from '../crypto'
import type { IdentityKeyPair } from '../identity/keys'
import { ONE_TIME_PREKEY } from '../protocol/caps'
import { DecodeError, decodeExact } from '../protocol/decode'
import { RatchetError, ratchetDecode } from './errors'

export interface OneTimePrekey {
  id: number
  publicKey: Buffer
  secretKey: Buffer
}

export interface PublishedOneTimePrekey {
  id: number
  publicKey: Buffer
  signature: Buffer
}

const LOCAL_VERSION = 1
const PUBLISHED_VERSION = 1
const MAX_ID = 0xffffffff
export const PUBLISHED_ONE_TIME_PREKEY_BYTES = 1 + 4 + 32 + 64

function signedMessage(id: number, publicKey: Uint8Array): Buffer {
  const out = Buffer.alloc(ONE_TIME_PREKEY.byteLength + 4 + 32)
  ONE_TIME_PREKEY.copy(out)
  out.writeUInt32LE(id, ONE_TIME_PREKEY.byteLength)
  out.set(publicKey, ONE_TIME_PREKEY.byteLength + 4)
  return out
}

function checkId(id: number): void {
  if (!Number.isInteger(id) || id < 1 || id > MAX_ID) {
    throw new RatchetError('malformed', `one-time prekey id must be an integer in 1..${MAX_ID}, got ${id}`)
  }
}

/** `count` fresh one-time prekeys numbered from `firstId`. */
export function generateOneTimePrekeys(firstId: number, count: number): OneTimePrekey[] {
  checkId(firstId)
  checkId(firstId + Math.max(0, count - 1))
  return Array.from({ length: count }, (_, i) => ({ id: firstId + i, ...x25519KeyPair() }))
}

export function publishOneTimePrekey(identity: IdentityKeyPair, p: OneTimePrekey): PublishedOneTimePrekey {
  checkId(p.id)
  return { id: p.id, publicKey: Buffer.from(p.publicKey), signature: sign(signedMessage(p.id, p.publicKey), identity.secretKey) }
}

const localEncoding: c.Encoder<OneTimePrekey> = {
  preencode(state, p) {
    state.end += 1 + 4 + 32 + 32
  },
  encode(state, p) {
    c.uint8.encode(state, LOCAL_VERSION)
    c.uint32.encode(state, p.id)
    c.fixed32.encode(state, p.publicKey)
    c.fixed32.encode(state, p.secretKey)
  },
  decode(state) {
    const version = c.uint8.decode(state)
    if (version !== LOCAL_VERSION) {
      throw new DecodeError(`one-time prekey version ${version}, this build reads ${LOCAL_VERSION}`, 'unsupported-version')
    }
    return { id: c.uint32.decode(state), publicKey: Buffer.from(c.fixed32.decode(state)), secretKey: Buffer.from(c.fixed32.decode(state)) }
  }
}

const publishedEncoding: c.Encoder<PublishedOneTimePrekey> = {
  preencode(state) {
    state.end += PUBLISHED_ONE_TIME_PREKEY_BYTES
  },
  encode(state, p) {
    c.uint8.encode(state, PUBLISHED_VERSION)
    c.uint32.encode(state, p.id)
    c.fixed32.encode(state, p.publicKey)
    c.fixed64.encode(state, p.signature)
  },
  decode(state) {
    const version = c.uint8.decode(state)
    if (version !== PUBLISHED_VERSION) {
      throw new DecodeError(`published one-time prekey version ${version}, this build reads ${PUBLISHED_VERSION}`, 'unsupported-version')
    }
    return { id: c.uint32.decode(state), publicKey: Buffer.from(c.fixed32.decode(state)), signature: Buffer.from(c.fixed64.decode(state)) }
  }
}

function decodeWhole<T>(encoding: c.Encoder<T>, bytes: Uint8Array, what: string): T {
  if (!(bytes instanceof Uint8Array)) throw new DecodeError(`${what}: not a byte array`)
  return decodeExact(c.state(0, bytes.byteLength, bytes), (state) => encoding.decode(state), {
    truncated: `${what}: truncated (${bytes.byteLength} bytes)`,
    trailing: (count) => `${what}: ${count} unexpected trailing bytes`
  })
}

export function encodeOneTimePrekey(p: OneTimePrekey): Buffer {
  checkId(p.id)
  return Buffer.from(c.encode(localEncoding, p))
}

export function decodeOneTimePrekey(bytes: Uint8Array): OneTimePrekey {
  const p = ratchetDecode(() => decodeWhole(localEncoding, bytes, 'one-time prekey'))
  checkId(p.id)
  if (!x25519PublicKey(p.secretKey).equals(p.publicKey)) {
    throw new RatchetError('malformed', 'one-time prekey: the public key does not match the secret key')
  }
  return p
}

export function encodePublishedOneTimePrekey(p: PublishedOneTimePrekey): Buffer {
  checkId(p.id)
  return Buffer.from(c.encode(publishedEncoding, p))
}

/** Throws unless the key is well formed and signed by `identity`. */
export function verifyOneTimePrekey(p: PublishedOneTimePrekey, identity: Uint8Array): void {
  checkId(p.id)
  if (p.publicKey?.byteLength !== 32) throw new RatchetError('malformed', 'a one-time prekey must be 32 bytes')
  if (!(identity instanceof Uint8Array) || !isEd25519PublicKey(identity)) {
    throw new RatchetError('malformed', 'the identity key is not a valid Ed25519 public key')
  }
  if (!p.signature || !verify(p.signature, signedMessage(p.id, p.publicKey), identity)) {
    throw new RatchetError('bad-signature', 'the one-time prekey signature does not verify')
  }
}

export function decodePublishedOneTimePrekey(bytes: Uint8Array, identity: Uint8Array): PublishedOneTimePrekey {
  const p = ratchetDecode(() => decodeWhole(publishedEncoding, bytes, 'published one-time prekey'))
  verifyOneTimePrekey(p, identity)
  return p
}

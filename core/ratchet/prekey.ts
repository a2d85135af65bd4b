// Signed prekeys and the bundle a contact publishes so others can start a session while it is offline.
//
//   signed prekey (local, for the store): version (1) | id u32 | public (32) | secret (32) | signature (64) | createdAt (compact uint)
//   bundle (public): version (1) | identity key (32) | prekey id u32 | prekey (32) | signature (64)
//
// The signature covers a domain tag, the id and the key, so a bundle cannot reuse a signature
// made for another purpose or relabel one prekey with another's id.
import * as c from 'compact-encoding'
import { isEd25519PublicKey, sign, verify, x25519KeyPair, x25519PublicKey } from '../crypto'
import type { IdentityKeyPair } from '../identity/keys'
import { SIGNED_PREKEY } from '../protocol/caps'
import { DecodeError, decodeExact } from '../protocol/decode'
import { RatchetError, ratchetDecode } from './errors'

export interface SignedPrekey {
  id: number
  publicKey: Buffer
  secretKey: Buffer
  signature: Buffer
  createdAt: number
}

export interface PrekeyBundle {
  identityKey: Buffer
  prekeyId: number
  prekey: Buffer
  signature: Buffer
}

const PREKEY_VERSION = 1
const BUNDLE_VERSION = 1
/** Prekey id 0 is reserved: in an envelope it names the responder's identity key (static-static start). */
export const STATIC_PREKEY_ID = 0
const MAX_PREKEY_ID = 0xffffffff

function signedMessage(id: number, publicKey: Uint8Array): Buffer {
  const out = Buffer.alloc(SIGNED_PREKEY.byteLength + 4 + 32)
  SIGNED_PREKEY.copy(out)
  out.writeUInt32LE(id, SIGNED_PREKEY.byteLength)
  out.set(publicKey, SIGNED_PREKEY.byteLength + 4)
  return out
}

function checkId(id: number): void {
  if (!Number.isInteger(id) || id <= STATIC_PREKEY_ID || id > MAX_PREKEY_ID) {
    throw new RatchetError('malformed', `prekey id must be an integer in 1..${MAX_PREKEY_ID}, got ${id}`)
  }
}

export function generateSignedPrekey(identity: IdentityKeyPair, id: number): SignedPrekey {
  checkId(id)
  const { publicKey, secretKey } = x25519KeyPair()
  return { id, publicKey, secretKey, signature: sign(signedMessage(id, publicKey), identity.secretKey), createdAt: Date.now() }
}

const signedPrekeyEncoding = {
  preencode(state: c.State, p: SignedPrekey) {
    c.uint8.preencode(state, PREKEY_VERSION)
    c.uint32.preencode(state, p.id)
    c.fixed32.preencode(state, p.publicKey)
    c.fixed32.preencode(state, p.secretKey)
    c.fixed64.preencode(state, p.signature)
    c.uint.preencode(state, p.createdAt)
  },
  encode(state: c.State, p: SignedPrekey) {
    c.uint8.encode(state, PREKEY_VERSION)
    c.uint32.encode(state, p.id)
    c.fixed32.encode(state, p.publicKey)
    c.fixed32.encode(state, p.secretKey)
    c.fixed64.encode(state, p.signature)
    c.uint.encode(state, p.createdAt)
  },
  decode(state: c.State): SignedPrekey {
    const version = c.uint8.decode(state)
    if (version !== PREKEY_VERSION) {
      throw new DecodeError(`signed prekey version ${version}, this build reads ${PREKEY_VERSION}`, 'unsupported-version')
    }
    return {
      id: c.uint32.decode(state),
      publicKey: Buffer.from(c.fixed32.decode(state)),
      secretKey: Buffer.from(c.fixed32.decode(state)),
      signature: Buffer.from(c.fixed64.decode(state)),
      createdAt: c.uint.decode(state)
    }
  }
}

const bundleEncoding = {
  preencode(state: c.State, b: PrekeyBundle) {
    c.uint8.preencode(state, BUNDLE_VERSION)
    c.fixed32.preencode(state, b.identityKey)
    c.uint32.preencode(state, b.prekeyId)
    c.fixed32.preencode(state, b.prekey)
    c.fixed64.preencode(state, b.signature)
  },
  encode(state: c.State, b: PrekeyBundle) {
    c.uint8.encode(state, BUNDLE_VERSION)
    c.fixed32.encode(state, b.identityKey)
    c.uint32.encode(state, b.prekeyId)
    c.fixed32.encode(state, b.prekey)
    c.fixed64.encode(state, b.signature)
  },
  decode(state: c.State): PrekeyBundle {
    const version = c.uint8.decode(state)
    if (version !== BUNDLE_VERSION) {
      throw new DecodeError(`prekey bundle version ${version}, this build reads ${BUNDLE_VERSION}`, 'unsupported-version')
    }
    return {
      identityKey: Buffer.from(c.fixed32.decode(state)),
      prekeyId: c.uint32.decode(state),
      prekey: Buffer.from(c.fixed32.decode(state)),
      signature: Buffer.from(c.fixed64.decode(state))
    }
  }
}

function decodeWhole<T>(encoding: c.Encoder<T>, bytes: Uint8Array, what: string): T {
  if (!(bytes instanceof Uint8Array)) throw new DecodeError(`${what}: not a byte array`)
  return decodeExact(c.state(0, bytes.byteLength, bytes), (state) => encoding.decode(state), {
    truncated: `${what}: truncated (${bytes.byteLength} bytes)`,
    trailing: (count) => `${what}: ${count} unexpected trailing bytes`
  })
}

function encodeChecked<T>(encoding: c.Encoder<T>, value: T, what: string): Buffer {
  try {
    return Buffer.from(c.encode(encoding, value))
  } catch (err) {
    throw new RatchetError('malformed', `${what}: ${(err as Error).message}`)
  }
}

export function encodeSignedPrekey(p: SignedPrekey): Buffer {
  return encodeChecked(signedPrekeyEncoding, p, 'signed prekey')
}

export function decodeSignedPrekey(bytes: Uint8Array): SignedPrekey {
  const p = ratchetDecode(() => decodeWhole(signedPrekeyEncoding, bytes, 'signed prekey'))
  checkId(p.id)
  if (!x25519PublicKey(p.secretKey).equals(p.publicKey)) {
    throw new RatchetError('malformed', 'signed prekey: the public key does not match the secret key')
  }
  return p
}

export function bundleOf(identity: IdentityKeyPair, p: SignedPrekey): PrekeyBundle {
  return {
    identityKey: Buffer.from(identity.publicKey),
    prekeyId: p.id,
    prekey: Buffer.from(p.publicKey),
    signature: Buffer.from(p.signature)
  }
}

export function encodeBundle(b: PrekeyBundle): Buffer {
  return encodeChecked(bundleEncoding, b, 'prekey bundle')
}

/** Throws unless the bundle is well formed, signed by `identityKey`, and that key is the expected one. */
export function verifyBundle(b: PrekeyBundle, expectedIdentity: Uint8Array): void {
  if (b.identityKey?.byteLength !== 32 || !b.identityKey.equals(expectedIdentity)) {
    throw new RatchetError('bad-signature', 'the prekey bundle belongs to a different identity')
  }
  checkId(b.prekeyId)
  if (b.prekey?.byteLength !== 32) throw new RatchetError('malformed', 'the bundle prekey must be 32 bytes')
  if (!isEd25519PublicKey(b.identityKey)) {
    throw new RatchetError('malformed', 'the bundle identity key is not a valid Ed25519 public key')
  }
  if (!b.signature || !verify(b.signature, signedMessage(b.prekeyId, b.prekey), b.identityKey)) {
    throw new RatchetError('bad-signature', 'the prekey bundle signature does not verify')
  }
}

export function decodeBundle(bytes: Uint8Array, expectedIdentity: Uint8Array): PrekeyBundle {
  const b = ratchetDecode(() => decodeWhole(bundleEncoding, bytes, 'prekey bundle'))
  verifyBundle(b, expectedIdentity)
  return b
}

// What a profile leaves on its home node for others, sealed so the box cannot read it:
//
//  - its prekey bundle (which names its identity key), under a key derived from that identity key:
//    whoever already knows the contact ID can open it, the box and a thief of its disk cannot;
//      sealed bundle = nonce (24) | XChaCha20-Poly1305(key = BLAKE2b-256(identity, BUNDLE_TAG))
//  - a contact request for the owner, sealed to the owner's X25519 key with a fresh ephemeral key,
//    as libsodium's crypto_box_seal does, with XChaCha20-Poly1305:
//      sealed request = version (1) | ephemeral (32) | nonce (24) | ciphertext (+16)
//      key = BLAKE2b-256(DH(eph, owner) | eph | owner, REQUEST_TAG)
import {
  AEAD_NONCE_BYTES,
  aeadOpen,
  aeadSeal,
  blake2b,
  ed25519PublicToX25519,
  ed25519SecretToX25519,
  memzero,
  randomBytes,
  x25519,
  x25519KeyPair
} from '../crypto'
import { HOME_BUNDLE_KEY, HOME_SEALED_REQUEST } from '../protocol/caps'
import { HomeError } from './errors'
import { MAX_SEALED_BYTES } from './wire'

const BUNDLE_TAG = HOME_BUNDLE_KEY
const REQUEST_TAG = HOME_SEALED_REQUEST
const REQUEST_VERSION = 1
const KEY_BYTES = 32
const REQUEST_OVERHEAD = 1 + KEY_BYTES + AEAD_NONCE_BYTES + 16
export const MAX_REQUEST_PLAINTEXT = MAX_SEALED_BYTES - REQUEST_OVERHEAD

function bundleKey(identity: Uint8Array): Buffer {
  return blake2b(32, identity, BUNDLE_TAG)
}

export function sealBundle(identity: Uint8Array, bundle: Uint8Array): Buffer {
  const nonce = randomBytes(AEAD_NONCE_BYTES)
  return Buffer.concat([nonce, aeadSeal(bundle, BUNDLE_TAG, nonce, bundleKey(identity))])
}

/** Throws HomeError('malformed') when the bytes were not sealed for this identity. */
export function openBundle(identity: Uint8Array, sealed: Uint8Array): Buffer {
  const plain =
    sealed.byteLength > AEAD_NONCE_BYTES
      ? aeadOpen(sealed.subarray(AEAD_NONCE_BYTES), BUNDLE_TAG, sealed.subarray(0, AEAD_NONCE_BYTES), bundleKey(identity))
      : null
  if (plain === null) throw new HomeError('malformed', 'the home node served a bundle that is not this contact’s')
  return plain
}

function requestKey(shared: Buffer, ephemeral: Uint8Array, owner: Uint8Array): Buffer {
  const key = blake2b(32, Buffer.concat([shared, ephemeral, owner]), REQUEST_TAG)
  memzero(shared)
  return key
}

/** Seals bytes for the owner of this Ed25519 identity key; only its secret key opens them. */
export function sealRequest(ownerIdentity: Uint8Array, plaintext: Uint8Array): Buffer {
  if (plaintext.byteLength > MAX_REQUEST_PLAINTEXT) throw new HomeError('malformed', `a sealed request holds at most ${MAX_REQUEST_PLAINTEXT} bytes`)
  const owner = ed25519PublicToX25519(ownerIdentity)
  if (owner === null) throw new HomeError('malformed', 'not a usable identity key')
  const eph = x25519KeyPair()
  const shared = x25519(eph.secretKey, owner)
  memzero(eph.secretKey)
  if (shared === null) throw new HomeError('malformed', 'not a usable identity key')
  const nonce = randomBytes(AEAD_NONCE_BYTES)
  const key = requestKey(shared, eph.publicKey, owner)
  const header = Buffer.concat([Buffer.from([REQUEST_VERSION]), eph.publicKey, nonce])
  return Buffer.concat([header, aeadSeal(plaintext, header, nonce, key)])
}

/** Throws HomeError('malformed') for bytes not sealed to this identity (or changed on the way). */
export function openRequest(identity: { publicKey: Uint8Array; secretKey: Uint8Array }, sealed: Uint8Array): Buffer {
  if (sealed.byteLength < REQUEST_OVERHEAD || sealed[0] !== REQUEST_VERSION) throw new HomeError('malformed', 'not a sealed request')
  const eph = sealed.subarray(1, 1 + KEY_BYTES)
  const nonce = sealed.subarray(1 + KEY_BYTES, 1 + KEY_BYTES + AEAD_NONCE_BYTES)
  const mySecret = ed25519SecretToX25519(identity.secretKey)
  const shared = x25519(mySecret, eph)
  memzero(mySecret)
  const owner = ed25519PublicToX25519(identity.publicKey)
  if (shared === null || owner === null) throw new HomeError('malformed', 'not a sealed request')
  const header = sealed.subarray(0, 1 + KEY_BYTES + AEAD_NONCE_BYTES)
  const plain = aeadOpen(sealed.subarray(header.byteLength), header, nonce, requestKey(shared, eph, owner))
  if (plain === null) throw new HomeError('malformed', 'the sealed request was not sealed to this identity, or was changed')
  return plain
}

// The device side of a pairing, kept in the profile folder (`home-link`): which box, and the salt
// of the link key. The link key is derived from the identity secret, the box key and the salt, so
// the box sees a key that is its alone — never the identity key, nothing that names the person —
// and a device that pairs again after an unlink gets a fresh key (the revoked one stays refused).
//
//   home-link file = version (1) | box key (32) | salt (16) | profile id (16)
import type { KeyPair } from 'hyperdht'
import { blake2b, ed25519KeyPair, randomBytes } from '../crypto'
import { HOME_LINK_KEY } from '../protocol/caps'
import { Reader, Writer } from './codec'
import { HomeError } from './errors'
import { KEY_BYTES, PROFILE_ID_BYTES } from './wire'

export const LINK_VERSION = 1
export const SALT_BYTES = 16
const LINK_TAG = HOME_LINK_KEY

export interface HomeLink {
  boxKey: Buffer
  salt: Buffer
  profile: Buffer
}

export function newLinkSalt(): Buffer {
  return randomBytes(SALT_BYTES)
}

/** `identitySecret` is the Ed25519 secret key (seed ‖ public key); only its seed is used. */
export function linkKeyPair(identitySecret: Uint8Array, boxKey: Uint8Array, salt: Uint8Array): KeyPair {
  const seed = blake2b(32, Buffer.concat([LINK_TAG, boxKey, salt]), identitySecret.subarray(0, 32))
  return ed25519KeyPair(seed)
}

export function encodeLink(link: HomeLink): Buffer {
  return new Writer()
    .uint8(LINK_VERSION)
    .fixed(link.boxKey, KEY_BYTES, 'box key')
    .fixed(link.salt, SALT_BYTES, 'salt')
    .fixed(link.profile, PROFILE_ID_BYTES, 'profile')
    .done()
}

export function decodeLink(bytes: Uint8Array): HomeLink {
  const r = new Reader(bytes, 256, 'home link')
  const version = r.uint8('version')
  if (version !== LINK_VERSION) throw new HomeError('malformed', `home link: unsupported version ${version}`)
  const link = { boxKey: r.fixed(KEY_BYTES, 'box key'), salt: r.fixed(SALT_BYTES, 'salt'), profile: r.fixed(PROFILE_ID_BYTES, 'profile') }
  r.end()
  return link
}

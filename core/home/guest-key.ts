// The key a contact visits an owner's home node with. Both ends derive it from their pair's secret
// (the one the rendezvous topics come from), so the owner can grant it without being told, the box
// sees a key that links to nothing (not the visitor's identity, not their key on any other box), and
// no other box or person can connect with it. The owner could compute it too, which gains them only
// a visit to their own box.
import type { KeyPair } from 'hyperdht'
import { blake2b, ed25519KeyPair, memzero } from '../crypto'
import type { IdentityKeyPair } from '../identity/keys'
import { HOME_GUEST_KEY } from '../protocol/caps'
import { topicSecret } from '../protocol/topics'

function seedOf(secret: Buffer, boxKey: Uint8Array, visitor: Uint8Array): Buffer {
  const seed = blake2b(32, Buffer.concat([HOME_GUEST_KEY, boxKey, visitor]), secret)
  memzero(secret)
  return seed
}

/** My key pair for visiting the box of the contact `owner`. */
export function visitingKeyPair(me: IdentityKeyPair, owner: Uint8Array, boxKey: Uint8Array): KeyPair {
  return ed25519KeyPair(seedOf(topicSecret(me, owner), boxKey, me.publicKey))
}

/** The key my contact `visitor` will visit my box with: the one to grant. */
export function visitorKey(me: IdentityKeyPair, visitor: Uint8Array, boxKey: Uint8Array): Buffer {
  return ed25519KeyPair(seedOf(topicSecret(me, visitor), boxKey, visitor)).publicKey
}

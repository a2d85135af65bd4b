// Rendezvous topics. A pair's topic comes from the two identities' X25519 shared secret, so a DHT
// observer who knows both public keys still cannot tell that they meet; an inbox topic comes from one
// public key, because a stranger must be able to find it.
import { blake2b } from '../crypto'
import { topicSecret, type IdentityKeyPair } from '../identity'

const PAIR_TAG = Buffer.from('cairn/net/pair-topic/v1')
const INBOX_TAG = Buffer.from('cairn/net/inbox-topic/v1')

/** Throws CairnError('invalid-argument') when `them` is not a usable Ed25519 public key. */
export function pairTopic(me: IdentityKeyPair, them: Uint8Array): Buffer {
  return blake2b(32, topicSecret(me, them), PAIR_TAG)
}

export function inboxTopic(publicKey: Uint8Array): Buffer {
  return blake2b(32, publicKey, INBOX_TAG)
}

// Rendezvous topics, derived in one place. An announcement on the DHT carries the announcer's public
// key, so the two ends of a pair never announce under one topic: each announces its own topic and
// looks up the other's. Both come from the pair's X25519 shared secret, so a DHT observer can neither
// link the two topics nor tell from the public keys which topics a pair uses: who talks to whom stays
// hidden. An inbox topic comes from one public key, because a stranger must be able to find it.
import { CairnError } from '../api/errors'
import { blake2b, ed25519PublicToX25519, ed25519SecretToX25519, memzero, x25519 } from '../crypto'
import type { IdentityKeyPair } from '../identity/keys'
import { INBOX_TOPIC, PAIR_TOPIC, PAIR_TOPIC_SECRET } from './caps'

export interface PairTopics {
  /** The topic this node announces, for this contact only. */
  mine: Buffer
  /** The topic the contact announces, which this node looks up. */
  theirs: Buffer
}

/**
 * A secret only the two contacts can compute: X25519 of their identity keys, hashed with a domain
 * tag so it is never the raw DH output reused elsewhere.
 */
export function topicSecret(me: IdentityKeyPair, them: Uint8Array): Buffer {
  const theirX = ed25519PublicToX25519(them)
  if (!theirX) throw new CairnError('invalid-argument', 'the contact key is not a valid Ed25519 public key')
  const mine = ed25519SecretToX25519(me.secretKey)
  const shared = x25519(mine, theirX)
  memzero(mine)
  if (!shared) throw new CairnError('invalid-argument', 'the contact key is a low-order point')
  const secret = blake2b(32, shared, PAIR_TOPIC_SECRET)
  memzero(shared)
  return secret
}

/** Throws CairnError('invalid-argument') when `them` is not a usable Ed25519 public key. */
export function pairTopics(me: IdentityKeyPair, them: Uint8Array): PairTopics {
  const secret = topicSecret(me, them)
  const topicOf = (announcer: Uint8Array) => blake2b(32, Buffer.concat([secret, announcer]), PAIR_TOPIC)
  const topics = { mine: topicOf(me.publicKey), theirs: topicOf(them) }
  secret.fill(0)
  return topics
}

export function inboxTopic(publicKey: Uint8Array): Buffer {
  return blake2b(32, publicKey, INBOX_TOPIC)
}

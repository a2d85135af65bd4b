// Rendezvous topics. An announcement on the DHT carries the announcer's public key, so the two ends
// of a pair never announce under one topic: each announces its own topic and looks up the other's.
// Both come from the pair's X25519 shared secret, so a DHT observer can neither link the two topics
// nor tell from the public keys which topics a pair uses: who talks to whom stays hidden. An inbox
// topic comes from one public key, because a stranger must be able to find it.
import { blake2b } from '../crypto'
import { topicSecret, type IdentityKeyPair } from '../identity'

const PAIR_TAG = Buffer.from('cairn/net/pair-topic/v1')
const INBOX_TAG = Buffer.from('cairn/net/inbox-topic/v1')

export interface PairTopics {
  /** The topic this node announces, for this contact only. */
  mine: Buffer
  /** The topic the contact announces, which this node looks up. */
  theirs: Buffer
}

/** Throws CairnError('invalid-argument') when `them` is not a usable Ed25519 public key. */
export function pairTopics(me: IdentityKeyPair, them: Uint8Array): PairTopics {
  const secret = topicSecret(me, them)
  const topicOf = (announcer: Uint8Array) => blake2b(32, Buffer.concat([secret, announcer]), PAIR_TAG)
  const topics = { mine: topicOf(me.publicKey), theirs: topicOf(them) }
  secret.fill(0)
  return topics
}

export function inboxTopic(publicKey: Uint8Array): Buffer {
  return blake2b(32, publicKey, INBOX_TAG)
}

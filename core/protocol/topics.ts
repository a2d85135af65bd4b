// Rendezvous topics and the keys that announce them, derived in one place. An announcement on the DHT
// carries the announcer's public key, so a pair's topics are never announced under an identity key:
// each side of each pair announces, for one UTC day, its own topic under a key pair of that side, pair
// and day alone, and looks up the other side's. All of it comes from the pair's X25519 shared secret,
// so only the two contacts can compute it: a DHT observer sees topics and keys that link to nothing,
// to each other across pairs or across days. Each side knows the other's key for a day in advance,
// which is how the firewall tells a contact's connection from a stranger's at the Noise handshake.
// An inbox topic comes from one public key, because a stranger must be able to find it.
import { CairnError } from '../api/errors'
import { blake2b, ed25519KeyPair, ed25519PublicToX25519, ed25519SecretToX25519, memzero, x25519 } from '../crypto'
import type { IdentityKeyPair } from '../identity/keys'
import { CALL_PAIR_SESSION, INBOX_TOPIC, PAIR_DAY, PAIR_KEY, PAIR_TOPIC, PAIR_TOPIC_SECRET } from './caps'

export const DAY_MS = 86_400_000

/** The UTC day number of a time in milliseconds since the epoch. */
export function dayOf(ms: number): number {
  return Math.floor(ms / DAY_MS)
}

/** One side of a pair on one day: the key pair it announces and connects with, and its topic. */
export interface PairSide {
  keyPair: IdentityKeyPair
  topic: Buffer
}

/** One day of a pair, seen from one side: this node's key pair and topic, the contact's key and topic. */
export interface PairDay {
  day: number
  mine: PairSide
  theirs: { publicKey: Buffer; topic: Buffer }
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

function pairSide(secret: Buffer, announcer: Uint8Array, day: number): PairSide {
  const dayBytes = Buffer.alloc(4)
  dayBytes.writeUInt32LE(day)
  const seed = blake2b(32, Buffer.concat([secret, announcer, dayBytes]), PAIR_DAY)
  const keySeed = blake2b(32, seed, PAIR_KEY)
  const side = { keyPair: ed25519KeyPair(keySeed), topic: blake2b(32, seed, PAIR_TOPIC) }
  memzero(keySeed)
  memzero(seed)
  return side
}

/** Throws CairnError('invalid-argument') when `them` is not a usable Ed25519 public key. */
export function pairDays(me: IdentityKeyPair, them: Uint8Array, days: readonly number[]): PairDay[] {
  const secret = topicSecret(me, them)
  const result = days.map((day) => {
    const theirs = pairSide(secret, them, day)
    memzero(theirs.keyPair.secretKey)
    return { day, mine: pairSide(secret, me.publicKey, day), theirs: { publicKey: theirs.keyPair.publicKey, topic: theirs.topic } }
  })
  memzero(secret)
  return result
}

export function inboxTopic(publicKey: Uint8Array): Buffer {
  return blake2b(32, publicKey, INBOX_TOPIC)
}

/**
 * The session id a call is bound to while the pair has no ratchet session yet (a new contact, no
 * message either way): only the two contacts can compute it, so a call key still belongs to this pair.
 */
export function pairCallSession(me: IdentityKeyPair, them: Uint8Array): Buffer {
  const secret = topicSecret(me, them)
  const id = blake2b(16, secret, CALL_PAIR_SESSION)
  memzero(secret)
  return id
}

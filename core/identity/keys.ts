import { CairnError } from '../api/errors'
import { blake2b, ed25519KeyPair, ed25519PublicToX25519, ed25519SecretToX25519, memzero, x25519 } from '../crypto'

export interface IdentityKeyPair {
  /** Ed25519, 32 bytes. */
  publicKey: Buffer
  /** Ed25519, 64 bytes in libsodium form (seed ‖ public key); usable directly as a Hyperswarm keyPair. */
  secretKey: Buffer
}

const TOPIC_TAG = Buffer.from('cairn/pair-topic/v1')

export function generateIdentity(): IdentityKeyPair {
  return ed25519KeyPair()
}

/**
 * A secret only the two contacts can compute: X25519 of their identity keys, hashed with a domain
 * tag so it is never the raw DH output reused elsewhere. The network derives the pair's topic from it.
 */
export function topicSecret(me: IdentityKeyPair, them: Uint8Array): Buffer {
  const theirX = ed25519PublicToX25519(them)
  if (!theirX) throw new CairnError('invalid-argument', 'the contact key is not a valid Ed25519 public key')
  const mine = ed25519SecretToX25519(me.secretKey)
  const shared = x25519(mine, theirX)
  memzero(mine)
  if (!shared) throw new CairnError('invalid-argument', 'the contact key is a low-order point')
  const secret = blake2b(32, shared, TOPIC_TAG)
  memzero(shared)
  return secret
}

import { ed25519KeyPair } from '../crypto'

export interface IdentityKeyPair {
  /** Ed25519, 32 bytes. */
  publicKey: Buffer
  /** Ed25519, 64 bytes in libsodium form (seed ‖ public key); usable directly as a Hyperswarm keyPair. */
  secretKey: Buffer
}

export function generateIdentity(): IdentityKeyPair {
  return ed25519KeyPair()
}

// The contact-ID and safety-number code the fake API uses: the core's own (core/identity), so the
// UI tests see exactly the IDs, checks and messages a real profile produces.
import type { ContactId } from '../../core/api/types'
import { blake2b, ed25519KeyPair } from '../../core/crypto'
import { decodeContactId, encodeContactId } from '../../core/identity/contact-id'
import { safetyNumber } from '../../core/identity/safety-number'

/** The contact ID of a key pair derived from the seed: the same seed, the same ID. */
export function fakeId(seed: string): ContactId {
  return encodeContactId(ed25519KeyPair(blake2b(32, Buffer.from(seed))).publicKey)
}

/** Throws the core's CairnError('invalid-contact-id') with its explanatory message. */
export function checkId(id: string): void {
  decodeContactId(id)
}

export function safetyNumberOf(a: ContactId, b: ContactId): string {
  return safetyNumber(decodeContactId(a), decodeContactId(b))
}

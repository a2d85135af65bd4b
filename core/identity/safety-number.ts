import { CairnError } from '../api/errors'
import { blake2b } from '../crypto'
import { SAFETY_NUMBER } from '../protocol/caps'

// As in Signal, the hash is iterated so that finding a second key with the same 30 digits costs
// thousands of hashes per try rather than one.
const ITERATIONS = 5200
const CHUNKS = 6

function fingerprint(publicKey: Uint8Array): string {
  let hash = blake2b(32, Buffer.concat([SAFETY_NUMBER, publicKey]))
  for (let i = 0; i < ITERATIONS; i++) hash = blake2b(32, Buffer.concat([hash, publicKey]))
  let digits = ''
  for (let i = 0; i < CHUNKS; i++) {
    digits += String(hash.readUIntBE(i * 5, 5) % 100000).padStart(5, '0')
  }
  return digits
}

/** 60 digits in 12 groups of 5: both contacts' fingerprints, sorted so each side sees the same number. */
export function safetyNumber(a: Uint8Array, b: Uint8Array): string {
  if (a.byteLength !== 32 || b.byteLength !== 32) {
    throw new CairnError('invalid-argument', 'a safety number is computed from two 32-byte public keys')
  }
  const both = [fingerprint(a), fingerprint(b)].sort().join('')
  return both.match(/\d{5}/g)!.join(' ')
}

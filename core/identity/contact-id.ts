import * as z32 from 'z32'
import { CairnError } from '../api/errors'
import { blake2b, isEd25519PublicKey } from '../crypto'
import { CONTACT_ID_CHECKSUM } from '../protocol/caps'

const KEY_BYTES = 32
const CHECKSUM_BYTES = 3
// 35 bytes are exactly 56 z-base-32 characters, so there are no padding bits to get wrong.
const ID_LENGTH = ((KEY_BYTES + CHECKSUM_BYTES) * 8) / 5

function checksum(publicKey: Uint8Array): Buffer {
  return blake2b(16, publicKey, CONTACT_ID_CHECKSUM).subarray(0, CHECKSUM_BYTES)
}

function invalid(message: string): CairnError {
  return new CairnError('invalid-contact-id', message)
}

/** The human form of a contact: z-base-32 of the Ed25519 public key followed by a 24-bit checksum. */
export function encodeContactId(publicKey: Uint8Array): string {
  if (publicKey.byteLength !== KEY_BYTES) {
    throw new CairnError('invalid-argument', `a public key is ${KEY_BYTES} bytes, got ${publicKey.byteLength}`)
  }
  return z32.encode(Buffer.concat([publicKey, checksum(publicKey)]))
}

export function decodeContactId(id: string): Buffer {
  if (typeof id !== 'string') throw invalid('a contact ID must be text')
  const text = id.trim()
  if (text.length === 0) throw invalid('the contact ID is empty')
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (z32.ALPHABET.includes(ch)) continue
    const position = i + 1
    if (/\s/.test(ch)) {
      throw invalid(`contact ID contains a space or line break at position ${position}; paste it as one word`)
    }
    if (z32.ALPHABET.includes(ch.toLowerCase())) {
      throw invalid(`contact ID has an uppercase letter '${ch}' at position ${position}; contact IDs are all lowercase`)
    }
    throw invalid(`contact ID has a character that cannot occur in an ID, '${ch}', at position ${position}`)
  }
  if (text.length < ID_LENGTH) {
    throw invalid(`contact ID is too short: ${text.length} characters, expected ${ID_LENGTH} (part of it is missing)`)
  }
  if (text.length > ID_LENGTH) {
    throw invalid(`contact ID is too long: ${text.length} characters, expected ${ID_LENGTH}`)
  }
  const bytes = z32.decode(text)
  const publicKey = Buffer.from(bytes.subarray(0, KEY_BYTES))
  if (!checksum(publicKey).equals(bytes.subarray(KEY_BYTES))) {
    throw invalid('contact ID checksum does not match: a character is wrong (typo?)')
  }
  if (!isEd25519PublicKey(publicKey)) throw invalid('contact ID does not contain a valid public key')
  return publicKey
}

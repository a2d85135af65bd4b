import { CairnError } from '../api/errors'
import type { ContactId } from '../api/types'
import { decodeContactId, encodeContactId } from './contact-id'

const KEY_BYTES = 32

/**
 * A contact's public key with the forms it is used in: the bytes (wire, crypto, swarm), the hex
 * (map keys, stored records) and the typed contact ID (API). Each form is made once, when the key
 * enters the core, instead of converting back and forth at every use.
 */
export class ContactKey {
  readonly bytes: Buffer
  readonly hex: string
  private idText: ContactId | null

  private constructor(bytes: Buffer, id: ContactId | null) {
    this.bytes = bytes
    this.hex = bytes.toString('hex')
    this.idText = id
  }

  /** Throws CairnError('invalid-argument') unless the key is 32 bytes. */
  static fromBytes(publicKey: unknown): ContactKey {
    if (!(publicKey instanceof Uint8Array) || publicKey.byteLength !== KEY_BYTES) {
      throw new CairnError('invalid-argument', `a public key is ${KEY_BYTES} bytes`)
    }
    return new ContactKey(Buffer.from(publicKey), null)
  }

  /** A key as stored in a record (hex). */
  static fromHex(hex: string): ContactKey {
    return ContactKey.fromBytes(Buffer.from(hex, 'hex'))
  }

  /** Throws CairnError('invalid-contact-id') with the reason a typed ID is wrong. */
  static fromId(id: ContactId): ContactKey {
    const bytes = decodeContactId(id)
    // The checksum matched, so the trimmed text is the ID's one form.
    return new ContactKey(bytes, id.trim())
  }

  /** The z-base-32 contact ID; its checksum is a hash, so it is made on first use only. */
  get id(): ContactId {
    if (this.idText === null) this.idText = encodeContactId(this.bytes)
    return this.idText
  }

  equals(other: ContactKey | Uint8Array): boolean {
    return other instanceof ContactKey ? other.hex === this.hex : this.bytes.equals(other)
  }
}

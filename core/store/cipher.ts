/** What the store needs from cryptography, injected so the store never holds a raw key itself. */
export interface StoreCipher {
  /** Authenticated encryption of a value, bound to the key it is stored under. */
  seal(plaintext: Buffer, associated: Buffer): Buffer
  /** Throws if the value was altered, moved to another key, or sealed under another storage key. */
  open(sealed: Buffer, associated: Buffer): Buffer
  /** A keyed hash: stable per profile, reveals nothing about its input without the storage key. */
  tag(data: Buffer): Buffer
}

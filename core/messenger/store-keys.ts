import { AEAD_NONCE_BYTES, aeadOpen, aeadSeal, blake2b, randomBytes } from '../crypto'
import { CORESTORE_PRIMARY, STORE_SEAL, STORE_TAG } from '../protocol/caps'
import type { StoreCipher } from '../store'
import { TAG_BYTES } from '../store'

// Every secret of the local data derives from the keystore's storage key, which only the passphrase
// unlocks: the seal and tag keys of the store, and the corestore primary key my logs' key pairs
// derive from (so even the signing keys of my logs are useless without the passphrase).
function subkey(storageKey: Buffer, tag: Buffer): Buffer {
  return blake2b(32, tag, storageKey)
}

export function corestorePrimaryKey(storageKey: Buffer): Buffer {
  return subkey(storageKey, CORESTORE_PRIMARY)
}

export function storeCipher(storageKey: Buffer): StoreCipher {
  const sealKey = subkey(storageKey, STORE_SEAL)
  const tagKey = subkey(storageKey, STORE_TAG)
  return {
    seal(plaintext, associated) {
      const nonce = randomBytes(AEAD_NONCE_BYTES)
      return Buffer.concat([nonce, aeadSeal(plaintext, associated, nonce, sealKey)])
    },
    open(sealed, associated) {
      const plain =
        sealed.length > AEAD_NONCE_BYTES
          ? aeadOpen(sealed.subarray(AEAD_NONCE_BYTES), associated, sealed.subarray(0, AEAD_NONCE_BYTES), sealKey)
          : null
      if (!plain) throw new Error('sealed value failed authentication')
      return plain
    },
    tag(data) {
      return blake2b(TAG_BYTES, data, tagKey)
    }
  }
}

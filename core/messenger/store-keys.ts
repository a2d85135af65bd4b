import { AEAD_NONCE_BYTES, aeadOpen, aeadSeal, blake2b, randomBytes } from '../crypto'
import type { StoreCipher } from '../store'
import { TAG_BYTES } from '../store'

// The store's keys derive from the keystore's storage key, which only the passphrase unlocks: the
// tag key (stable for the profile's life, since every record's key holds a tag), the key of the
// epoch file, and epoch 0's seal key. Later epochs seal under their own random key, which lives
// only in the epoch file. Nothing derived here is handed to corestore: it writes its primary key
// to disk as its seed, so that key guards nothing of ours (profiles made before this kept a derived
// one there; BLAKE2b is one-way, so it reveals nothing of the storage key).
function subkey(key: Buffer, purpose: string): Buffer {
  return blake2b(32, Buffer.from(`cairn/${purpose}/v1`), key)
}

export function epochFileKey(storageKey: Buffer): Buffer {
  return subkey(storageKey, 'store-epoch-file')
}

/** The store cipher of an epoch: sealed under its key (epoch 0: the storage key), tagged under the storage key. */
export function storeCipher(storageKey: Buffer, epochKey: Buffer | null = null): StoreCipher {
  const sealKey = subkey(epochKey ?? storageKey, 'store-seal')
  const tagKey = subkey(storageKey, 'store-tag')
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

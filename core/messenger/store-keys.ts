import { AEAD_NONCE_BYTES, aeadOpen, aeadSeal, blake2b, randomNonce } from '../crypto'
import { CORESTORE_PRIMARY, STORE_EPOCH_FILE, STORE_SEAL, STORE_TAG } from '../protocol/caps'
import type { StoreCipher } from '../store'
import { TAG_BYTES } from '../store'

// The store's keys derive from the keystore's storage key, which only the passphrase unlocks: the
// tag key (stable for the profile's life, since every record's key holds a tag), the key of the
// epoch file, and epoch 0's seal key. Later epochs seal under their own random key, which lives
// only in the epoch file. Nothing derived here is handed to corestore: it writes its primary key
// to disk as its seed, so that key guards nothing of ours.
function subkey(key: Buffer, tag: Buffer): Buffer {
  return blake2b(32, tag, key)
}

/**
 * The primary key profiles made before store epochs gave corestore, which stored it as its seed
 * (their logs' key pairs derive from it, so it stays there). BLAKE2b is one-way: it reveals nothing
 * of the storage key. Pinned by the frozen-format tests; no longer given to corestore.
 */
export function corestorePrimaryKey(storageKey: Buffer): Buffer {
  return subkey(storageKey, CORESTORE_PRIMARY)
}

export function epochFileKey(storageKey: Buffer): Buffer {
  return subkey(storageKey, STORE_EPOCH_FILE)
}

/** The store cipher of an epoch: sealed under its key (epoch 0: the storage key), tagged under the storage key. */
export function storeCipher(storageKey: Buffer, epochKey: Buffer | null = null): StoreCipher {
  const sealKey = subkey(epochKey ?? storageKey, STORE_SEAL)
  const tagKey = subkey(storageKey, STORE_TAG)
  return {
    seal(plaintext, associated) {
      const nonce = randomNonce()
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

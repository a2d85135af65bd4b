import sodium from 'sodium-native'
import type { CryptoBackend } from './backend'

const ABYTES = 16

// sodium-native signals low-order points and failed authentication by throwing; the backend
// contract turns both into null so callers map them to their own typed errors.
export const nativeBackend: CryptoBackend = {
  name: 'native',
  ready: () => Promise.resolve(),
  randomBytes(n) {
    const out = Buffer.allocUnsafe(n)
    sodium.randombytes_buf(out)
    return out
  },
  x25519Public(secretKey) {
    const out = Buffer.allocUnsafe(32)
    sodium.crypto_scalarmult_base(out, secretKey)
    return out
  },
  x25519(secretKey, publicKey) {
    const out = Buffer.allocUnsafe(32)
    try {
      sodium.crypto_scalarmult(out, secretKey, publicKey)
    } catch {
      return null
    }
    return out
  },
  ed25519KeyPair(seed) {
    const publicKey = Buffer.allocUnsafe(32)
    const secretKey = Buffer.allocUnsafe(64)
    if (seed) sodium.crypto_sign_seed_keypair(publicKey, secretKey, seed)
    else sodium.crypto_sign_keypair(publicKey, secretKey)
    return { publicKey, secretKey }
  },
  sign(message, secretKey) {
    const sig = Buffer.allocUnsafe(64)
    sodium.crypto_sign_detached(sig, message, secretKey)
    return sig
  },
  verify: (signature, message, publicKey) => sodium.crypto_sign_verify_detached(signature, message, publicKey),
  isEd25519Point: (publicKey) => sodium.crypto_core_ed25519_is_valid_point(publicKey),
  ed25519PublicToX25519(publicKey) {
    const out = Buffer.allocUnsafe(32)
    try {
      sodium.crypto_sign_ed25519_pk_to_curve25519(out, publicKey)
    } catch {
      return null
    }
    return out
  },
  ed25519SecretToX25519(secretKey) {
    const out = Buffer.allocUnsafe(32)
    sodium.crypto_sign_ed25519_sk_to_curve25519(out, secretKey)
    return out
  },
  sha256(data) {
    const out = Buffer.allocUnsafe(32)
    sodium.crypto_hash_sha256(out, data)
    return out
  },
  blake2b(outputLength, data, key) {
    const out = Buffer.allocUnsafe(outputLength)
    sodium.crypto_generichash(out, data, key)
    return out
  },
  blake2bStream(outputLength) {
    const state = Buffer.alloc(sodium.crypto_generichash_STATEBYTES)
    sodium.crypto_generichash_init(state, null, outputLength)
    return {
      update: (data) => sodium.crypto_generichash_update(state, data),
      digest() {
        const out = Buffer.allocUnsafe(outputLength)
        sodium.crypto_generichash_final(state, out)
        return out
      }
    }
  },
  aeadSealInto(out, plaintext, ad, nonce, key) {
    sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(out, plaintext, ad, null, nonce, key)
  },
  aeadOpen(ciphertext, ad, nonce, key) {
    if (ciphertext.byteLength < ABYTES) return null
    const out = Buffer.allocUnsafe(ciphertext.byteLength - ABYTES)
    try {
      sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(out, null, ciphertext, ad, nonce, key)
    } catch {
      return null
    }
    return out
  },
  async argon2id(outputLength, password, salt, opslimit, memlimit) {
    const out = Buffer.alloc(outputLength)
    await sodium.crypto_pwhash_async(out, password, salt, opslimit, memlimit, sodium.crypto_pwhash_ALG_ARGON2ID13)
    return out
  },
  memzero: (buf) => sodium.sodium_memzero(buf)
}

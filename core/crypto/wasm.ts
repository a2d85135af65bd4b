import type { CryptoBackend } from './backend'

type Sodium = typeof import('libsodium-wrappers-sumo')

let lib: Sodium | null = null

function sodium(): Sodium {
  if (!lib) throw new Error('the wasm crypto backend is used before cryptoReady() resolved')
  return lib
}

function buf(u: Uint8Array): Buffer {
  return Buffer.from(u.buffer, u.byteOffset, u.byteLength)
}

// The wasm build is loaded only when selected: instantiating it costs time and memory that the
// native default never needs. Its ESM build carries the functions on the default export only.
async function load(): Promise<void> {
  if (lib) return
  const mod = (await import('libsodium-wrappers-sumo')) as Sodium & { default?: Sodium }
  const s = mod.default ?? mod
  await s.ready
  lib = s
}

export const wasmBackend: CryptoBackend = {
  name: 'wasm',
  ready: load,
  randomBytes: (n) => buf(sodium().randombytes_buf(n)),
  x25519Public: (secretKey) => buf(sodium().crypto_scalarmult_base(secretKey)),
  x25519(secretKey, publicKey) {
    try {
      return buf(sodium().crypto_scalarmult(secretKey, publicKey))
    } catch {
      return null
    }
  },
  ed25519KeyPair(seed) {
    const s = sodium()
    const kp = seed ? s.crypto_sign_seed_keypair(seed) : s.crypto_sign_keypair()
    return { publicKey: buf(kp.publicKey), secretKey: buf(kp.privateKey) }
  },
  sign: (message, secretKey) => buf(sodium().crypto_sign_detached(message, secretKey)),
  verify(signature, message, publicKey) {
    try {
      return sodium().crypto_sign_verify_detached(signature, message, publicKey)
    } catch {
      return false
    }
  },
  isEd25519Point: (publicKey) => sodium().crypto_core_ed25519_is_valid_point(publicKey),
  ed25519PublicToX25519(publicKey) {
    try {
      return buf(sodium().crypto_sign_ed25519_pk_to_curve25519(publicKey))
    } catch {
      return null
    }
  },
  ed25519SecretToX25519: (secretKey) => buf(sodium().crypto_sign_ed25519_sk_to_curve25519(secretKey)),
  sha256: (data) => buf(sodium().crypto_hash_sha256(data)),
  blake2b: (outputLength, data, key) => buf(sodium().crypto_generichash(outputLength, data, key ?? null)),
  blake2bStream(outputLength) {
    const s = sodium()
    const state = s.crypto_generichash_init(null, outputLength)
    return {
      update: (data) => s.crypto_generichash_update(state, data),
      digest: () => buf(s.crypto_generichash_final(state, outputLength))
    }
  },
  aeadSealInto(out, plaintext, ad, nonce, key) {
    out.set(sodium().crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, ad, null, nonce, key))
  },
  aeadOpen(ciphertext, ad, nonce, key) {
    try {
      return buf(sodium().crypto_aead_xchacha20poly1305_ietf_decrypt(null, ciphertext, ad, nonce, key))
    } catch {
      return null
    }
  },
  async argon2id(outputLength, password, salt, opslimit, memlimit) {
    const s = sodium()
    return buf(s.crypto_pwhash(outputLength, password, salt, opslimit, memlimit, s.crypto_pwhash_ALG_ARGON2ID13))
  },
  memzero: (b) => sodium().memzero(b)
}

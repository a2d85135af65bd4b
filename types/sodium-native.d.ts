declare module 'sodium-native' {
  type Bytes = Uint8Array

  export const crypto_sign_PUBLICKEYBYTES: number
  export const crypto_sign_SECRETKEYBYTES: number
  export const crypto_sign_SEEDBYTES: number
  export const crypto_sign_BYTES: number
  export const crypto_scalarmult_BYTES: number
  export const crypto_scalarmult_SCALARBYTES: number
  export const crypto_aead_xchacha20poly1305_ietf_KEYBYTES: number
  export const crypto_aead_xchacha20poly1305_ietf_NPUBBYTES: number
  export const crypto_aead_xchacha20poly1305_ietf_ABYTES: number
  export const crypto_hash_sha256_BYTES: number
  export const crypto_generichash_BYTES_MIN: number
  export const crypto_generichash_BYTES_MAX: number
  export const crypto_generichash_KEYBYTES_MIN: number
  export const crypto_generichash_KEYBYTES_MAX: number
  export const crypto_pwhash_ALG_ARGON2ID13: number
  export const crypto_pwhash_OPSLIMIT_INTERACTIVE: number
  export const crypto_pwhash_MEMLIMIT_INTERACTIVE: number
  export const crypto_pwhash_OPSLIMIT_SENSITIVE: number
  export const crypto_pwhash_MEMLIMIT_SENSITIVE: number
  export const crypto_pwhash_SALTBYTES: number

  export function randombytes_buf(buf: Bytes): void
  export function sodium_memzero(buf: Bytes): void

  export function crypto_sign_keypair(pk: Bytes, sk: Bytes): void
  export function crypto_sign_seed_keypair(pk: Bytes, sk: Bytes, seed: Bytes): void
  export function crypto_sign_detached(sig: Bytes, m: Bytes, sk: Bytes): void
  export function crypto_sign_verify_detached(sig: Bytes, m: Bytes, pk: Bytes): boolean
  /** Throws when the key is not a valid Ed25519 point. */
  export function crypto_sign_ed25519_pk_to_curve25519(x25519pk: Bytes, ed25519pk: Bytes): void
  export function crypto_sign_ed25519_sk_to_curve25519(x25519sk: Bytes, ed25519sk: Bytes): void
  export function crypto_core_ed25519_is_valid_point(p: Bytes): boolean

  export function crypto_scalarmult_base(q: Bytes, n: Bytes): void
  /** Throws when the result is all zero (a low-order point). */
  export function crypto_scalarmult(q: Bytes, n: Bytes, p: Bytes): void

  export function crypto_hash_sha256(out: Bytes, input: Bytes): void
  export function crypto_generichash(out: Bytes, input: Bytes, key?: Bytes | null): void

  export function crypto_aead_xchacha20poly1305_ietf_encrypt(
    c: Bytes,
    m: Bytes,
    ad: Bytes | null,
    nsec: null,
    npub: Bytes,
    k: Bytes
  ): number
  /** Throws when the ciphertext does not authenticate. */
  export function crypto_aead_xchacha20poly1305_ietf_decrypt(
    m: Bytes,
    nsec: null,
    c: Bytes,
    ad: Bytes | null,
    npub: Bytes,
    k: Bytes
  ): number

  export function crypto_pwhash_async(
    out: Bytes,
    passwd: Bytes,
    salt: Bytes,
    opslimit: number,
    memlimit: number,
    alg: number
  ): Promise<void>
}

declare module 'sodium-native' {
  type Bytes = Uint8Array

  export const crypto_pwhash_ALG_ARGON2ID13: number

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
  export const crypto_generichash_STATEBYTES: number
  export function crypto_generichash_init(state: Bytes, key: Bytes | null, outlen: number): void
  export function crypto_generichash_update(state: Bytes, input: Bytes): void
  export function crypto_generichash_final(state: Bytes, out: Bytes): void

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

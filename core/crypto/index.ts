// The one crypto interface the rest of Cairn uses; nothing else imports a sodium build. Two builds
// sit behind it: sodium-native (the default: the core runs in Node, and it is the faster one, see
// bench/ratchet.bench.ts) and libsodium-wrappers-sumo (wasm), selectable for comparison.
import type { BackendName, CryptoBackend, HashStream } from './backend'
import { hkdfSha256, hmacSha256 } from './hmac'
import { nativeBackend } from './native'
import { wasmBackend } from './wasm'

export type { BackendName, HashStream } from './backend'

const backends: Record<BackendName, CryptoBackend> = { native: nativeBackend, wasm: wasmBackend }
let active: CryptoBackend = nativeBackend

export const X25519_KEY_BYTES = 32
export const ED25519_PUBLIC_KEY_BYTES = 32
export const SIGNATURE_BYTES = 64
export const AEAD_NONCE_BYTES = 24
export const AEAD_TAG_BYTES = 16

export interface X25519KeyPair {
  publicKey: Buffer
  secretKey: Buffer
}

/** Idempotent; await once before anything else (loads the wasm build when that one is selected). */
export function cryptoReady(): Promise<void> {
  return active.ready()
}

/** Switches the sodium build behind this interface; await cryptoReady() afterwards. */
export function useCryptoBackend(name: BackendName): void {
  active = backends[name]
}

export function cryptoBackendName(): BackendName {
  return active.name
}

export function randomBytes(n: number): Buffer {
  return active.randomBytes(n)
}

// Nonces are drawn from the CSPRNG 256 at a time: one call each (a getrandom syscall, 2–5 µs) cost
// a burst of sends more than the encryption. A nonce is public, stored or sent beside its
// ciphertext, so holding the next ones in memory reveals nothing; each is handed out once.
const NONCE_POOL = 256
let nonces: Buffer = Buffer.alloc(0)

/** A fresh random AEAD nonce (XChaCha20-Poly1305's 24 bytes), from a pool. */
export function randomNonce(): Buffer {
  if (nonces.byteLength < AEAD_NONCE_BYTES) nonces = active.randomBytes(NONCE_POOL * AEAD_NONCE_BYTES)
  const nonce = nonces.subarray(0, AEAD_NONCE_BYTES)
  nonces = nonces.subarray(AEAD_NONCE_BYTES)
  return nonce
}

export function memzero(buf: Uint8Array): void {
  active.memzero(buf)
}

export function x25519KeyPair(): X25519KeyPair {
  const secretKey = active.randomBytes(X25519_KEY_BYTES)
  return { publicKey: active.x25519Public(secretKey), secretKey }
}

export function x25519PublicKey(secretKey: Uint8Array): Buffer {
  return active.x25519Public(secretKey)
}

/** The X25519 shared secret, or null when the peer's key is a low-order point (all-zero output). */
export function x25519(secretKey: Uint8Array, publicKey: Uint8Array): Buffer | null {
  return active.x25519(secretKey, publicKey)
}

export function ed25519KeyPair(seed?: Uint8Array): { publicKey: Buffer; secretKey: Buffer } {
  return active.ed25519KeyPair(seed)
}

export function sign(message: Uint8Array, secretKey: Uint8Array): Buffer {
  return active.sign(message, secretKey)
}

export function verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.byteLength !== SIGNATURE_BYTES || publicKey.byteLength !== ED25519_PUBLIC_KEY_BYTES) return false
  return active.verify(signature, message, publicKey)
}

export function isEd25519PublicKey(publicKey: Uint8Array): boolean {
  return publicKey.byteLength === ED25519_PUBLIC_KEY_BYTES && active.isEd25519Point(publicKey)
}

/** The X25519 form of an Ed25519 public key, or null when it is not a valid Ed25519 point. */
export function ed25519PublicToX25519(publicKey: Uint8Array): Buffer | null {
  if (publicKey.byteLength !== ED25519_PUBLIC_KEY_BYTES) return null
  return active.ed25519PublicToX25519(publicKey)
}

export function ed25519SecretToX25519(secretKey: Uint8Array): Buffer {
  return active.ed25519SecretToX25519(secretKey)
}

export function sha256(data: Uint8Array): Buffer {
  return active.sha256(data)
}

export function hmac(key: Uint8Array, data: Uint8Array): Buffer {
  return hmacSha256(active, key, data)
}

export function hkdf(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Buffer {
  return hkdfSha256(active, ikm, salt, info, length)
}

/** BLAKE2b (crypto_generichash), 16..64 output bytes, optionally keyed (16..64 key bytes). */
export function blake2b(outputLength: number, data: Uint8Array, key?: Uint8Array): Buffer {
  return active.blake2b(outputLength, data, key)
}

/** Incremental unkeyed BLAKE2b (16..64 output bytes), for files streamed from or to disk. */
export function blake2bStream(outputLength: number): HashStream {
  return active.blake2bStream(outputLength)
}

/** XChaCha20-Poly1305: the ciphertext (plaintext length + 16) written into `out`. */
export function aeadSealInto(
  out: Uint8Array,
  plaintext: Uint8Array,
  ad: Uint8Array,
  nonce: Uint8Array,
  key: Uint8Array
): void {
  active.aeadSealInto(out, plaintext, ad, nonce, key)
}

export function aeadSeal(plaintext: Uint8Array, ad: Uint8Array, nonce: Uint8Array, key: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(plaintext.byteLength + AEAD_TAG_BYTES)
  active.aeadSealInto(out, plaintext, ad, nonce, key)
  return out
}

/** The plaintext, or null when the ciphertext, nonce, key or associated data do not match. */
export function aeadOpen(ciphertext: Uint8Array, ad: Uint8Array, nonce: Uint8Array, key: Uint8Array): Buffer | null {
  return active.aeadOpen(ciphertext, ad, nonce, key)
}

/** Argon2id (crypto_pwhash), off the main thread where the build allows it. */
export function argon2id(
  outputLength: number,
  password: Uint8Array,
  salt: Uint8Array,
  opslimit: number,
  memlimit: number
): Promise<Buffer> {
  return active.argon2id(outputLength, password, salt, opslimit, memlimit)
}

/** libsodium's interactive Argon2id limits (2 passes, 64 MiB) and its sensitive ones (the ceiling we accept). */
export const PWHASH_OPSLIMIT_INTERACTIVE = 2
export const PWHASH_MEMLIMIT_INTERACTIVE = 64 * 1024 * 1024
export const PWHASH_OPSLIMIT_SENSITIVE = 4
export const PWHASH_MEMLIMIT_SENSITIVE = 1024 * 1024 * 1024
export const PWHASH_SALT_BYTES = 16

import type { CryptoBackend } from './backend'

const BLOCK = 64
const HASH = 32

// Neither sodium build exposes HMAC-SHA256 with an arbitrary key length (sodium-native 5 lacks
// crypto_auth_hmacsha256 entirely), so RFC 2104 is applied over the build's SHA-256.
export function hmacSha256(backend: CryptoBackend, key: Uint8Array, data: Uint8Array): Buffer {
  const k = key.byteLength > BLOCK ? backend.sha256(key) : key
  const inner = Buffer.alloc(BLOCK + data.byteLength)
  const outer = Buffer.alloc(BLOCK + HASH)
  inner.set(k)
  outer.set(k)
  for (let i = 0; i < BLOCK; i++) {
    inner[i] ^= 0x36
    outer[i] ^= 0x5c
  }
  inner.set(data, BLOCK)
  const innerHash = backend.sha256(inner)
  outer.set(innerHash, BLOCK)
  const mac = backend.sha256(outer)
  backend.memzero(inner)
  backend.memzero(outer)
  backend.memzero(innerHash)
  return mac
}

/** RFC 5869 HKDF-SHA256. An empty salt means HashLen zero bytes, as the RFC specifies. */
export function hkdfSha256(
  backend: CryptoBackend,
  ikm: Uint8Array,
  salt: Uint8Array,
  info: Uint8Array,
  length: number
): Buffer {
  if (!Number.isInteger(length) || length < 1 || length > 255 * HASH) {
    throw new RangeError(`HKDF output length must be 1..${255 * HASH}, got ${length}`)
  }
  const prk = hmacSha256(backend, salt.byteLength === 0 ? Buffer.alloc(HASH) : salt, ikm)
  const out = Buffer.allocUnsafe(length)
  const input = Buffer.allocUnsafe(HASH + info.byteLength + 1)
  let previous: Buffer = Buffer.alloc(0)
  for (let i = 1, written = 0; written < length; i++) {
    previous.copy(input, 0)
    input.set(info, previous.byteLength)
    input[previous.byteLength + info.byteLength] = i
    const block = hmacSha256(backend, prk, input.subarray(0, previous.byteLength + info.byteLength + 1))
    written += block.copy(out, written)
    backend.memzero(previous)
    previous = block
  }
  backend.memzero(previous)
  backend.memzero(prk)
  backend.memzero(input)
  return out
}

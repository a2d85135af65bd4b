import { beforeAll, describe, expect, it } from 'vitest'
import { cryptoReady } from '../../core/crypto'
import { generateIdentity } from '../../core/identity'
import {
  RatchetError,
  Session,
  bundleOf,
  decodeBundle,
  decodeSignedPrekey,
  encodeBundle,
  encodeSignedPrekey,
  generateSignedPrekey
} from '../../core/ratchet'

beforeAll(() => cryptoReady())

const code = (fn: () => unknown) => {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(RatchetError)
    return (err as RatchetError).code
  }
  throw new Error('expected a RatchetError')
}

describe('signed prekeys and bundles', () => {
  const bob = generateIdentity()
  const prekey = generateSignedPrekey(bob, 42)

  it('a signed prekey round-trips through its encoding', () => {
    expect(decodeSignedPrekey(encodeSignedPrekey(prekey))).toEqual(prekey)
  })

  it('rejects prekey id 0 (reserved) and out-of-range ids', () => {
    expect(code(() => generateSignedPrekey(bob, 0))).toBe('malformed')
    expect(code(() => generateSignedPrekey(bob, 2 ** 32))).toBe('malformed')
    expect(code(() => generateSignedPrekey(bob, 1.5))).toBe('malformed')
  })

  it('rejects a stored prekey that is truncated, has trailing bytes, a bad version or a mismatched key', () => {
    const bytes = encodeSignedPrekey(prekey)
    for (let len = 0; len < bytes.byteLength; len++) expect(code(() => decodeSignedPrekey(bytes.subarray(0, len)))).toBe('malformed')
    expect(code(() => decodeSignedPrekey(Buffer.concat([bytes, Buffer.from([1])])))).toBe('malformed')
    const v = Buffer.from(bytes)
    v[0] = 2
    expect(code(() => decodeSignedPrekey(v))).toBe('unsupported-version')
    const mismatched = Buffer.from(bytes)
    mismatched[5] ^= 1
    expect(code(() => decodeSignedPrekey(mismatched))).toBe('malformed')
  })

  it('a bundle round-trips and verifies against the expected identity', () => {
    const bundle = bundleOf(bob, prekey)
    const bytes = encodeBundle(bundle)
    expect(bytes.byteLength).toBe(133)
    expect(decodeBundle(bytes, bob.publicKey)).toEqual(bundle)
  })

  it('rejects a bundle with a bad signature, a swapped id or key, or from someone else', () => {
    const bytes = encodeBundle(bundleOf(bob, prekey))
    const at = { id: 33, prekey: 37, signature: 69 }
    for (const offset of [at.id, at.prekey, at.prekey + 31, at.signature, bytes.byteLength - 1]) {
      const bad = Buffer.from(bytes)
      bad[offset] ^= 1
      expect(code(() => decodeBundle(bad, bob.publicKey))).toBe('bad-signature')
    }
    expect(code(() => decodeBundle(bytes, generateIdentity().publicKey))).toBe('bad-signature')
    const other = generateIdentity()
    const forged = encodeBundle({ ...bundleOf(bob, prekey), signature: generateSignedPrekey(other, 42).signature })
    expect(code(() => decodeBundle(forged, bob.publicKey))).toBe('bad-signature')
  })

  it('rejects a truncated, padded or unknown-version bundle', () => {
    const bytes = encodeBundle(bundleOf(bob, prekey))
    for (let len = 0; len < bytes.byteLength; len++) expect(code(() => decodeBundle(bytes.subarray(0, len), bob.publicKey))).toBe('malformed')
    expect(code(() => decodeBundle(Buffer.concat([bytes, Buffer.alloc(1)]), bob.publicKey))).toBe('malformed')
    const v = Buffer.from(bytes)
    v[0] = 3
    expect(code(() => decodeBundle(v, bob.publicKey))).toBe('unsupported-version')
  })

  it('Session.initiate refuses a bundle object whose signature does not verify', () => {
    const alice = generateIdentity()
    const bundle = bundleOf(bob, prekey)
    const bad = { ...bundle, signature: Buffer.from(bundle.signature) }
    bad.signature[10] ^= 1
    expect(code(() => Session.initiate(alice, bob.publicKey, bad))).toBe('bad-signature')
    expect(code(() => Session.initiate(alice, Buffer.alloc(32), null as never))).toBe('malformed')
  })
})

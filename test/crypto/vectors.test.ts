import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  aeadOpen,
  aeadSeal,
  cryptoBackendName,
  cryptoReady,
  ed25519KeyPair,
  hkdf,
  hmac,
  sign,
  useCryptoBackend,
  verify,
  x25519,
  x25519PublicKey,
  type BackendName
} from '../../core/crypto'
import { kdfCk, kdfRk, x3dhSecret } from '../../core/ratchet/kdf'

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex')
const seq = (n: number, start: number) => Buffer.from(Array.from({ length: n }, (_, i) => (start + i) & 0xff))

describe.each<BackendName>(['native', 'wasm'])('libsodium primitives as used (%s build)', (backend) => {
  beforeAll(async () => {
    useCryptoBackend(backend)
    await cryptoReady()
  })
  afterAll(() => useCryptoBackend('native'))

  it('X25519: RFC 7748 §5.2 single multiplications', () => {
    expect(cryptoBackendName()).toBe(backend)
    expect(
      x25519(
        hex('a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4'),
        hex('e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c')
      )!.toString('hex')
    ).toBe('c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552')
    expect(
      x25519(
        hex('4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d'),
        hex('e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493')
      )!.toString('hex')
    ).toBe('95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957')
  })

  it('X25519: RFC 7748 §5.2 iterated, 1 and 1,000 rounds', () => {
    let k: Buffer = hex('09'.padEnd(64, '0'))
    let u: Buffer = Buffer.from(k)
    const seen: Record<number, string> = {}
    for (let i = 1; i <= 1000; i++) {
      const r = x25519(k, u)!
      u = k
      k = r
      if (i === 1 || i === 1000) seen[i] = k.toString('hex')
    }
    expect(seen[1]).toBe('422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079')
    expect(seen[1000]).toBe('684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51')
  })

  it('X25519: RFC 7748 §6.1 Diffie-Hellman', () => {
    const a = hex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a')
    const b = hex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb')
    expect(x25519PublicKey(a).toString('hex')).toBe('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a')
    expect(x25519PublicKey(b).toString('hex')).toBe('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f')
    const k = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742'
    expect(x25519(a, x25519PublicKey(b))!.toString('hex')).toBe(k)
    expect(x25519(b, x25519PublicKey(a))!.toString('hex')).toBe(k)
  })

  it('X25519 refuses a low-order point (all-zero output)', () => {
    expect(x25519(seq(32, 1), Buffer.alloc(32))).toBeNull()
  })

  it.each([
    {
      name: 'TEST 1',
      seed: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
      pk: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
      msg: '',
      sig: 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b'
    },
    {
      name: 'TEST 2',
      seed: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
      pk: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
      msg: '72',
      sig: '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00'
    },
    {
      name: 'TEST 3',
      seed: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
      pk: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
      msg: 'af82',
      sig: '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a'
    }
  ])('Ed25519: RFC 8032 §7.1 $name', ({ seed, pk, msg, sig }) => {
    const kp = ed25519KeyPair(hex(seed))
    expect(kp.publicKey.toString('hex')).toBe(pk)
    expect(sign(hex(msg), kp.secretKey).toString('hex')).toBe(sig)
    expect(verify(hex(sig), hex(msg), hex(pk))).toBe(true)
    const bad = hex(sig)
    bad[0] ^= 1
    expect(verify(bad, hex(msg), hex(pk))).toBe(false)
  })

  it('HKDF-SHA256: RFC 5869 test cases 1-3', () => {
    expect(hkdf(hex('0b'.repeat(22)), hex('000102030405060708090a0b0c'), hex('f0f1f2f3f4f5f6f7f8f9'), 42).toString('hex')).toBe(
      '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865'
    )
    expect(hkdf(seq(80, 0x00), seq(80, 0x60), seq(80, 0xb0), 82).toString('hex')).toBe(
      'b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c' +
        '59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71' +
        'cc30c58179ec3e87c14c01d5c1f3434f1d87'
    )
    expect(hkdf(hex('0b'.repeat(22)), Buffer.alloc(0), Buffer.alloc(0), 42).toString('hex')).toBe(
      '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8'
    )
  })

  it('HMAC-SHA256: RFC 4231 test case 6 (key longer than a block)', () => {
    expect(hmac(Buffer.alloc(131, 0xaa), Buffer.from('Test Using Larger Than Block-Size Key - Hash Key First')).toString('hex')).toBe(
      '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54'
    )
  })

  it('XChaCha20-Poly1305 round-trips and rejects a changed byte of ciphertext, AD, nonce or key', () => {
    const key = seq(32, 7)
    const nonce = seq(24, 9)
    const ad = Buffer.from('header')
    const ct = aeadSeal(Buffer.from('hello'), ad, nonce, key)
    expect(aeadOpen(ct, ad, nonce, key)!.toString()).toBe('hello')
    const flip = (b: Buffer) => {
      const c = Buffer.from(b)
      c[0] ^= 1
      return c
    }
    expect(aeadOpen(flip(ct), ad, nonce, key)).toBeNull()
    expect(aeadOpen(ct, flip(ad), nonce, key)).toBeNull()
    expect(aeadOpen(ct, ad, flip(nonce), key)).toBeNull()
    expect(aeadOpen(ct, ad, nonce, flip(key))).toBeNull()
    expect(aeadOpen(ct.subarray(0, 10), ad, nonce, key)).toBeNull()
  })

  it("the ratchet's KDF chain matches vectors computed without Cairn's code (test/vectors/README.md)", () => {
    const golden = JSON.parse(readFileSync(new URL('../vectors/ratchet-kdf.json', import.meta.url), 'utf8'))
    const rk = kdfRk(seq(32, golden.kdfRk.rootKeyStart), seq(32, golden.kdfRk.dhStart))
    expect(rk.rootKey.toString('hex')).toBe(golden.kdfRk.rootKey)
    expect(rk.chainKey.toString('hex')).toBe(golden.kdfRk.chainKey)
    let ck: Buffer = seq(32, golden.kdfCk.chainKeyStart)
    for (const step of golden.kdfCk.steps) {
      const s = kdfCk(ck)
      expect(s.messageKey.toString('hex')).toBe(step.messageKey)
      expect(s.chainKey.toString('hex')).toBe(step.chainKey)
      ck = s.chainKey
    }
    const x = golden.x3dh
    const sk = x3dhSecret(
      x.dhStarts.map((s: number) => seq(32, s)),
      seq(32, x.initiatorStart),
      seq(32, x.responderStart),
      x.prekeyId,
      seq(32, x.prekeyStart)
    )
    expect(sk.rootKey.toString('hex')).toBe(x.rootKey)
    expect(sk.sessionId.toString('hex')).toBe(x.sessionId)
  })
})

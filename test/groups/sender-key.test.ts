import { beforeAll, describe, expect, it } from 'vitest'
import { aeadOpen, aeadSeal, cryptoReady } from '../../core/crypto'
import { GroupError } from '../../core/groups'
import { MAX_SKIP, MAX_STORED_SKIPPED, ReceivingChain, SendingChain } from '../../core/groups/sender-key'

beforeAll(cryptoReady)

const NONCE = Buffer.alloc(24, 7)
const AD = Buffer.from('ad')

function seal(chain: SendingChain, text: string) {
  const mk = chain.next()
  const ct = aeadSeal(Buffer.from(text), AD, NONCE, mk.key)
  return { keyId: mk.keyId, index: mk.index, ct, key: mk.key }
}

function open(chain: ReceivingChain, m: { keyId: Buffer; index: number; ct: Buffer }): string {
  return chain.decrypt(m.keyId, m.index, (k) => aeadOpen(m.ct, AD, NONCE, k)).toString()
}

function code(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    if (err instanceof GroupError) return err.code
    throw err
  }
  return 'no error'
}

describe('sender key chains', () => {
  it('decrypt in order, out of order, once only', () => {
    const s = SendingChain.create(0)
    const r = ReceivingChain.from(s.share())
    const ms = ['a', 'b', 'c', 'd'].map((t) => seal(s, t))
    expect(open(r, ms[2])).toBe('c')
    expect(r.skippedCount).toBe(2)
    expect(open(r, ms[0])).toBe('a')
    expect(open(r, ms[3])).toBe('d')
    expect(open(r, ms[1])).toBe('b')
    expect(r.skippedCount).toBe(0)
    expect(code(() => open(r, ms[1]))).toBe('duplicate')
    expect(code(() => open(r, ms[3]))).toBe('duplicate')
  })

  it('zeroes every message key once it is used', () => {
    const s = SendingChain.create(0)
    const m = seal(s, 'x')
    const r = ReceivingChain.from(s.share())
    const mk2 = s.next()
    const seen: Buffer[] = []
    r.decrypt(mk2.keyId, mk2.index, (k) => (seen.push(k), Buffer.from('ok')))
    expect(seen[0].equals(Buffer.alloc(32))).toBe(true)
    expect(m.key.length).toBe(32)
  })

  it('a share reads nothing sent before it', () => {
    const s = SendingChain.create(0)
    const early = seal(s, 'early')
    const r = ReceivingChain.from(s.share())
    expect(code(() => open(r, early))).toBe('no-sender-key')
    expect(open(r, seal(s, 'late'))).toBe('late')
  })

  it('a tampered message or another key id leaves the chain as it was', () => {
    const s = SendingChain.create(0)
    const r = ReceivingChain.from(s.share())
    const m = seal(s, 'hello')
    const bad = { ...m, ct: Buffer.from(m.ct) }
    bad.ct[0] ^= 1
    expect(code(() => open(r, bad))).toBe('auth-failed')
    expect(code(() => open(r, { ...m, keyId: Buffer.alloc(16) }))).toBe('no-sender-key')
    expect(r.skippedCount).toBe(0)
    expect(open(r, m)).toBe('hello')
  })

  it('bounds skipped keys: one jump at most MAX_SKIP, all chains at most MAX_STORED_SKIPPED', () => {
    const s = SendingChain.create(0)
    const r = ReceivingChain.from(s.share())
    for (let i = 0; i < MAX_SKIP + 1; i++) s.next()
    expect(code(() => open(r, seal(s, 'far')))).toBe('too-many-skipped')
    const s2 = SendingChain.create(0)
    const r2 = ReceivingChain.from(s2.share())
    for (let jump = 0; jump < 3; jump++) {
      for (let i = 0; i < MAX_SKIP; i++) s2.next()
      expect(open(r2, seal(s2, `j${jump}`))).toBe(`j${jump}`)
    }
    expect(r2.skippedCount).toBe(MAX_STORED_SKIPPED)
  })
})

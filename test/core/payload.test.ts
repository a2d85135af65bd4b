// The payload inside a ratchet envelope, version 1 and version 2, pinned byte for byte, with every
// malformed field refused and unknown kinds or versions read as "unknown" (skipped, not an error).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { MAX_TEXT_BYTES } from '../../core/protocol/limits'
import { decodePayload, encodePayload, type Payload } from '../../core/protocol/payload'

const AT = 1_767_225_600_000
const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'payloads-v1-v2.txt')

/** The fixture's payloads, in its order: one per line. */
const KNOWN: Array<Exclude<Payload, { kind: 'unknown' }>> = [
  { kind: 'text', sentAt: AT, text: 'hello, plain version 1' },
  { kind: 'text', sentAt: AT, text: 'a reply', replyTo: { mine: false, block: 7 } },
  { kind: 'react', sentAt: AT, to: { mine: false, block: 3 }, emoji: '👍🏽' },
  { kind: 'react', sentAt: AT, to: { mine: true, block: 0 }, emoji: '' },
  { kind: 'edit', sentAt: AT, to: { mine: true, block: 12 }, text: 'fixed the typo' },
  { kind: 'delete', sentAt: AT, to: { mine: true, block: 12 } },
  { kind: 'timer', sentAt: AT, seconds: 86_400 }
]

const lines = () => readFileSync(FIXTURE, 'utf8').split('\n').filter(Boolean)
const bytes = (o: unknown) => Buffer.from(JSON.stringify(o))

describe('message payloads', () => {
  it('encode to the frozen bytes and decode back', () => {
    const frozen = lines()
    expect(frozen).toHaveLength(KNOWN.length)
    KNOWN.forEach((p, i) => {
      expect(encodePayload(p).toString('utf8')).toBe(frozen[i])
      expect(decodePayload(Buffer.from(frozen[i]))).toEqual(p)
    })
  })

  it('plain text without a reply stays version 1, which older clients read', () => {
    expect(JSON.parse(encodePayload(KNOWN[0]).toString()).v).toBe(1)
  })

  it('reads kinds and versions it does not know as unknown, to be skipped', () => {
    expect(decodePayload(bytes({ v: 2, k: 'poll', s: AT, z: [1, 2] }))).toEqual({ kind: 'unknown', sentAt: AT })
    expect(decodePayload(bytes({ v: 3, k: 't', s: AT, t: 'future' }))).toEqual({ kind: 'unknown', sentAt: AT })
    expect(decodePayload(bytes({ v: 9, s: 'garbled' }))).toEqual({ kind: 'unknown', sentAt: null })
  })

  const hostile: Array<[string, unknown, RegExp]> = [
    ['not JSON', '{"v":2', /not valid JSON/],
    ['an array', [], /not an object/],
    ['no version', { k: 't', s: AT, t: 'x' }, /no valid version/],
    ['a negative time', { v: 2, k: 't', s: -1, t: 'x' }, /timestamp/],
    ['oversized text', { v: 2, k: 't', s: AT, t: 'x'.repeat(MAX_TEXT_BYTES + 1) }, /too long/],
    ['a reply to a malformed reference', { v: 2, k: 't', s: AT, t: 'x', q: [2, 1] }, /reference is malformed/],
    ['a reference to a negative block', { v: 2, k: 'r', s: AT, o: [0, -1], e: '👍' }, /reference is malformed/],
    ['a reference to a fractional block', { v: 2, k: 'r', s: AT, o: [0, 1.5], e: '👍' }, /reference is malformed/],
    ['a reaction of several emoji', { v: 2, k: 'r', s: AT, o: [0, 1], e: '👍👍' }, /more than one emoji/],
    ['a long reaction', { v: 2, k: 'r', s: AT, o: [0, 1], e: 'x'.repeat(40) }, /short emoji/],
    ['a reaction with a bidi override', { v: 2, k: 'r', s: AT, o: [0, 1], e: '\u202e👍' }, /short emoji/],
    ['a reaction that is not text', { v: 2, k: 'r', s: AT, o: [0, 1], e: 5 }, /short emoji/],
    ["an edit of the reader's message", { v: 2, k: 'e', s: AT, o: [0, 4], t: 'mine now' }, /did not write/],
    ["a delete of the reader's message", { v: 2, k: 'd', s: AT, o: [0, 4] }, /did not write/],
    ['an edit without text', { v: 2, k: 'e', s: AT, o: [1, 4] }, /text is missing/],
    ['a timer out of range', { v: 2, k: 'x', s: AT, n: 7 }, /out of range/],
    ['a timer that is not a number', { v: 2, k: 'x', s: AT, n: '300' }, /out of range/]
  ]
  for (const [what, wire, why] of hostile) {
    it(`refuses ${what}`, () => {
      const raw = typeof wire === 'string' ? Buffer.from(wire) : bytes(wire)
      expect(() => decodePayload(raw)).toThrow(why)
    })
  }
})

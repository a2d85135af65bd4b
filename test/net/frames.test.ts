import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { CairnError } from '../../core/api/errors'
import {
  FrameError,
  MAX_BUNDLE_BYTES,
  decodeControlFrame,
  decodeRequestFrame,
  encodeControlFrame,
  encodeRequestFrame,
  type ControlFrame
} from '../../core/net'
import { decodeAckFrame, ACK_FRAME } from '../../core/net/frames'

const name = fc.string({ maxLength: 64, unit: 'grapheme-ascii' }).filter((s) => !/\p{Cc}/u.test(s))
const bytes = (max: number) => fc.uint8Array({ maxLength: max }).map((b) => Buffer.from(b))
const frame: fc.Arbitrary<ControlFrame> = fc.oneof(
  fc.record({
    type: fc.constant('hello' as const),
    name,
    logKey: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b)),
    bundle: fc.option(bytes(MAX_BUNDLE_BYTES), { nil: null })
  }),
  fc.record({
    type: fc.constant('receipt' as const),
    kind: fc.constantFrom('delivered' as const, 'read' as const),
    upTo: fc.maxSafeNat()
  }),
  fc.record({ type: fc.constant('typing' as const), typing: fc.boolean() }),
  fc.record({ type: fc.constant('prekeys' as const), bundle: bytes(MAX_BUNDLE_BYTES) })
)

describe('control frames', () => {
  it('round-trip', () => {
    fc.assert(fc.property(frame, (f) => {
        expect(decodeControlFrame(encodeControlFrame(f))).toEqual(f)
      }), { numRuns: 300 })
  })

  it('round-trip names in any script, up to 64 characters', () => {
    const f: ControlFrame = { type: 'hello', name: '😀'.repeat(64), logKey: Buffer.alloc(32), bundle: null }
    expect(decodeControlFrame(encodeControlFrame(f))).toEqual(f)
  })

  it('random bytes are refused with a FrameError, never anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        try {
          decodeControlFrame(b)
        } catch (err) {
          expect(err).toBeInstanceOf(FrameError)
        }
      }),
      { numRuns: 2000 }
    )
  })

  it('every truncation of a valid frame is refused', () => {
    fc.assert(
      fc.property(frame, (f) => {
        const full = encodeControlFrame(f)
        for (let n = 0; n < full.length; n++) expect(() => decodeControlFrame(full.subarray(0, n))).toThrow(FrameError)
      }),
      { numRuns: 100 }
    )
  })

  it('refuses to encode what the receiver would refuse', () => {
    const bad: ControlFrame[] = [
      { type: 'hello', name: 'x'.repeat(65), logKey: Buffer.alloc(32), bundle: null },
      { type: 'hello', name: 'bell\u0007', logKey: Buffer.alloc(32), bundle: null },
      { type: 'hello', name: 'ok', logKey: Buffer.alloc(31), bundle: null },
      { type: 'receipt', kind: 'read', upTo: -1 },
      { type: 'receipt', kind: 'read', upTo: 1.5 },
      { type: 'prekeys', bundle: Buffer.alloc(MAX_BUNDLE_BYTES + 1) },
      { type: 'nope' } as unknown as ControlFrame
    ]
    for (const f of bad) expect(() => encodeControlFrame(f)).toThrow(CairnError)
  })
})

describe('request frames', () => {
  it('round-trip', () => {
    fc.assert(
      fc.property(name, fc.option(bytes(MAX_BUNDLE_BYTES), { nil: null }), (n, bundle) => {
        expect(decodeRequestFrame(encodeRequestFrame({ name: n, bundle }))).toEqual({ name: n, bundle })
      }),
      { numRuns: 200 }
    )
  })

  it('random bytes and a control frame are refused', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        try {
          decodeRequestFrame(b)
        } catch (err) {
          expect(err).toBeInstanceOf(FrameError)
        }
      }),
      { numRuns: 2000 }
    )
    expect(() => decodeRequestFrame(encodeControlFrame({ type: 'typing', typing: true }))).toThrow(/expected a request/)
  })

  it('the ack is exactly two bytes', () => {
    expect(() => decodeAckFrame(ACK_FRAME)).not.toThrow()
    expect(() => decodeAckFrame(Buffer.concat([ACK_FRAME, Buffer.from([0])]))).toThrow(FrameError)
    expect(() => decodeAckFrame(encodeRequestFrame({ name: 'a', bundle: null }))).toThrow(FrameError)
  })
})

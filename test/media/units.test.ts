import { describe, expect, it } from 'vitest'
import { ReplayWindow, REPLAY_WINDOW } from '../../core/media/replay-window'
import { BoundedQueue } from '../../core/media/bounded-queue'
import { TokenBucket } from '../../core/media/rate-limit'
import { fragment, Reassembler, MAX_FRAME_BYTES, type MediaFrame } from '../../core/media/fragments'
import { MAX_FRAGMENT_BYTES } from '../../core/media/datagram'

describe('replay window', () => {
  it('accepts each counter once, in any order inside the window, and nothing older', () => {
    const w = new ReplayWindow()
    const take = (n: number): boolean => {
      if (!w.fresh(n)) return false
      w.accept(n)
      return true
    }
    expect([5, 3, 4, 5, 3, 0].map(take)).toEqual([true, true, true, false, false, true])
    expect(take(REPLAY_WINDOW + 10)).toBe(true)
    expect(take(5)).toBe(false)
    expect(take(11)).toBe(true)
    expect(take(10)).toBe(false)
    expect(take(REPLAY_WINDOW + 9)).toBe(true)
    expect(take(REPLAY_WINDOW * 10)).toBe(true)
    expect(take(REPLAY_WINDOW * 10 - 1)).toBe(true)
    expect(take(REPLAY_WINDOW + 11)).toBe(false)
    expect(w.fresh(-1)).toBe(false)
    expect(w.fresh(1.5)).toBe(false)
  })

  it('forgets bits that slid out when the window jumps, so a reused slot is fresh again', () => {
    const w = new ReplayWindow()
    w.accept(1)
    w.accept(1 + REPLAY_WINDOW)
    expect(w.fresh(2 + REPLAY_WINDOW)).toBe(true)
    expect(w.fresh(1 + REPLAY_WINDOW)).toBe(false)
  })
})

describe('bounded queue', () => {
  it('drops the oldest entries beyond its item and byte ceilings', () => {
    const q = new BoundedQueue<number>(3, 100)
    for (let i = 0; i < 5; i++) q.push(i, 10)
    expect([q.length, q.dropped]).toEqual([3, 2])
    q.push(99, 90)
    expect(q.size).toBeLessThanOrEqual(100)
    expect([q.shift(), q.shift(), q.length]).toEqual([4, 99, 0])
    expect(q.push(1, 101)).toBe(false)
  })
})

describe('token bucket', () => {
  it('lets the burst through, then only the rate', () => {
    let t = 0
    const b = new TokenBucket({ packetsPerSecond: 10, bytesPerSecond: 1000, burstSeconds: 1 }, () => t)
    const passed = Array.from({ length: 20 }, () => b.take(10)).filter(Boolean).length
    expect(passed).toBe(10)
    t += 500
    expect(Array.from({ length: 20 }, () => b.take(10)).filter(Boolean).length).toBe(5)
    t += 10_000
    expect(b.take(1001)).toBe(false)
  })
})

describe('fragments', () => {
  const frame = (seq: number, size: number): MediaFrame => ({ stream: 'video', keyframe: seq === 0, seq, timestampUs: seq * 33_333, data: Buffer.alloc(size, seq) })

  it('split a frame into datagram-sized pieces and put it back in any order', () => {
    const parts = fragment(frame(0, 5_000))
    expect(parts).toHaveLength(Math.ceil(5_000 / MAX_FRAGMENT_BYTES))
    const r = new Reassembler()
    const out = [...parts].reverse().map((p) => r.add(p))
    expect(out.slice(0, -1).every((x) => x === null)).toBe(true)
    expect(out.at(-1)).toEqual(frame(0, 5_000))
    expect(() => fragment(frame(1, MAX_FRAME_BYTES + 1))).toThrow(RangeError)
  })

  it('keep a bounded number of incomplete frames and ignore duplicate or inconsistent fragments', () => {
    const r = new Reassembler()
    for (let seq = 0; seq < 100; seq++) r.add(fragment(frame(seq, 3_000))[0])
    expect(r.incomplete).toBe(92)
    const parts = fragment(frame(200, 3_000))
    expect(r.add(parts[0])).toBeNull()
    expect(r.add(parts[0])).toBeNull()
    expect(r.add({ ...parts[1], fragments: 5 })).toBeNull()
    expect(r.add(parts[1])).toBeNull()
    expect(r.add(parts[2])?.data.byteLength).toBe(3_000)
  })
})

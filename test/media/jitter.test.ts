import { describe, expect, it } from 'vitest'
import { JitterBuffer } from '../../renderer/src/lib/call/jitter-buffer'
import type { EncodedMediaFrame } from '../../renderer/src/lib/call/types'

const f = (seq: number): EncodedMediaFrame => ({ stream: 'audio', keyframe: true, seq, timestampUs: seq * 20_000, data: new Uint8Array([seq]) })
const opts = { frameMs: 20, targetDelayMs: 40, maxDelayMs: 200, maxFrames: 50 }

describe('jitter buffer', () => {
  it('releases frames in order on the playout clock, reordered arrivals included', () => {
    const jb = new JitterBuffer(opts)
    jb.push(f(10), 0)
    jb.push(f(12), 5)
    jb.push(f(11), 15)
    expect(jb.pull(39)).toEqual([])
    expect(jb.pull(40).map((s) => s.seq)).toEqual([10])
    expect(jb.pull(80).map((s) => s.frame?.seq)).toEqual([11, 12])
  })

  it('reports a frame that never came as lost, drops it if it comes after its turn, and grows the delay', () => {
    const jb = new JitterBuffer(opts)
    jb.push(f(0), 0)
    jb.push(f(2), 40)
    expect(jb.pull(80).map((s) => s.frame === null)).toEqual([false, true, false])
    jb.push(f(1), 81)
    expect(jb.stats).toMatchObject({ played: 2, lost: 1, late: 1 })
    expect(jb.stats.delayMs).toBeGreaterThan(40)
  })

  it('stays bounded under a flood and restarts on a far jump in sequence', () => {
    const jb = new JitterBuffer(opts)
    jb.push(f(0), 0)
    for (let seq = 1; seq < 10_000; seq++) jb.push(f(seq % 49), 0)
    jb.push(f(5_000), 100)
    expect(jb.pull(140).map((s) => s.seq)).toEqual([5_000])
  })

  it('resynchronises after a stall longer than the delay ceiling instead of dropping every later frame', () => {
    // The first frame, then half a second of nothing (a starved page or a busy core), then the
    // stream arrives steadily but 500 ms behind the clock the first frame set.
    const jb = new JitterBuffer(opts)
    jb.push(f(0), 0)
    let played = 0
    for (let now = 0, seq = 1; now <= 3_000; now += 10) {
      while (seq < 150 && 500 + seq * 20 <= now) jb.push(f(seq++), now)
      played += jb.pull(now).filter((s) => s.frame !== null).length
    }
    expect(played).toBeGreaterThan(100)
    expect(jb.stats.resyncs).toBeGreaterThanOrEqual(1)
    expect(jb.stats.delayMs).toBeLessThanOrEqual(opts.maxDelayMs)
  })

  it('after a stall that restarted its clock, holds frames no longer than the target again once they come on time', () => {
    // Frames every 20 ms arrive 5 ms after they were sent, but frames 50 to 74 come all at once
    // with frame 75 (a page stalled for half a second): the clock restarts at the late frame 50.
    const jb = new JitterBuffer(opts)
    const arrived = new Map<number, number>()
    const held: number[] = []
    let lostAfter = 0
    for (let now = 0, seq = 0; now <= 20_000; now += 10) {
      for (; seq * 20 + 5 <= now; seq++) {
        if (seq >= 50 && seq < 75) continue
        if (seq === 75) for (let late = 50; late < 75; late++) jb.push(f(late), now)
        jb.push(f(seq), now)
        arrived.set(seq, now)
      }
      for (const slot of jb.pull(now)) {
        if (slot.frame && now > 15_000) held.push(now - arrived.get(slot.seq)!)
        if (!slot.frame && now > 3_000) lostAfter++
      }
    }
    expect(jb.stats.resyncs).toBe(1)
    expect(Math.max(...held)).toBeLessThanOrEqual(opts.targetDelayMs + 20)
    // bringing the clock forward never makes a frame due before it came
    expect(lostAfter).toBe(0)
  })

  it('brings a grown delay back to the target once frames come on time again', () => {
    // Frames sent every 20 ms arrive 5 ms later, except frame 1, which comes after its turn.
    const jb = new JitterBuffer(opts)
    let grown = 0
    for (let now = 0, seq = 0; now <= 20_000; now += 10) {
      for (; seq * 20 + 5 <= now; seq++) if (seq !== 1) jb.push(f(seq), now)
      if (now === 150) jb.push(f(1), now)
      jb.pull(now)
      grown = Math.max(grown, jb.stats.delayMs)
    }
    expect(jb.stats.late).toBe(1)
    expect(grown).toBeGreaterThan(opts.targetDelayMs)
    // each second without a late frame took off half of what the frames had to spare
    expect(jb.stats.delayMs).toBe(opts.targetDelayMs)
  })
})

// The camera's size steps (renderer/src/lib/call/encode-load.ts), driven by a made-up clock: frames
// every 33 ms, each with the time it took from encode() to output, or dropped.
import { describe, expect, it } from 'vitest'
import { EncodeLoad, SCALES } from '../../renderer/src/lib/call/encode-load'

const FRAME_MS = 1000 / 30

/** Feeds `seconds` of frames that each took `ms` (null: dropped); the moves made, in order. */
function run(load: EncodeLoad, clock: { now: number }, seconds: number, ms: number | null, dropEvery = 0): number[] {
  const moves: number[] = []
  for (let i = 0; i < seconds * 30; i++) {
    clock.now += FRAME_MS
    const dropped = ms === null || (dropEvery > 0 && i % dropEvery === 0)
    const move = dropped ? load.droppedFrame(clock.now) : load.encoded(ms!, clock.now)
    if (move !== 0) moves.push(move)
  }
  return moves
}

describe('the camera size a sender keeps up with', () => {
  it('steps down after two busy seconds, not after one', () => {
    const clock = { now: 0 }
    const load = new EncodeLoad(FRAME_MS)
    expect(run(load, clock, 5, 10)).toEqual([])
    expect(run(load, clock, 1.2, 40)).toEqual([])
    expect(run(load, clock, 3, 10)).toEqual([])
    expect(run(load, clock, 2.5, 40)).toEqual([1])
    expect(load.level).toBe(1)
  })

  it('counts frames dropped at a full encoder as busy, however fast the others were', () => {
    const clock = { now: 0 }
    const load = new EncodeLoad(FRAME_MS)
    expect(run(load, clock, 3.5, 5, 5)).toEqual([1])
    // one frame in thirty dropped is within the budget
    const other = new EncodeLoad(FRAME_MS)
    expect(run(other, { now: 0 }, 10, 20, 30)).toEqual([])
  })

  it('steps two sizes at once when far behind (a median over twice the interval, or half the frames dropped)', () => {
    const clock = { now: 0 }
    const load = new EncodeLoad(FRAME_MS)
    expect(run(load, clock, 2.5, 80)).toEqual([1])
    expect(load.level).toBe(2)
    const dropping = new EncodeLoad(FRAME_MS)
    expect(run(dropping, { now: 0 }, 2.5, null)).toEqual([1])
    expect(dropping.level).toBe(2)
  })

  it('goes down to its smallest size under lasting load and no further', () => {
    const clock = { now: 0 }
    const load = new EncodeLoad(FRAME_MS)
    run(load, clock, 60, null)
    expect(load.level).toBe(SCALES.length - 1)
  })

  it('steps back up after ten easy seconds, and waits twice as long after a step up it had to take back', () => {
    const clock = { now: 0 }
    const load = new EncodeLoad(FRAME_MS)
    run(load, clock, 3.5, 40)
    expect(load.level).toBe(1)
    expect(run(load, clock, 8, 5)).toEqual([])
    expect(run(load, clock, 4, 5)).toEqual([-1])
    expect(load.level).toBe(0)
    // the larger size is too much again: back down, and the next step up needs 20 easy seconds
    expect(run(load, clock, 3.5, 40)).toEqual([1])
    expect(run(load, clock, 15, 5)).toEqual([])
    expect(run(load, clock, 8, 5)).toEqual([-1])
  })

  it('holds in between: neither busy nor easy seconds move it', () => {
    const clock = { now: 0 }
    const load = new EncodeLoad(FRAME_MS)
    run(load, clock, 3.5, 40)
    expect(run(load, clock, 60, 20)).toEqual([])
    expect(load.level).toBe(1)
  })

  it('judges nothing on too few frames (a camera that stalled)', () => {
    const clock = { now: 0 }
    const load = new EncodeLoad(FRAME_MS)
    for (let s = 0; s < 10; s++) {
      clock.now += 1000
      expect(load.encoded(500, clock.now)).toBe(0)
    }
    expect(load.level).toBe(0)
  })
})

// Repairing video by asking for lost fragments again: the receiver's VideoRepair (what it asks for,
// when, when it gives a frame up, the order frames come out in) and the sender's SentFrames (what it
// keeps and how often it sends a fragment again), driven by hand with a clock of our own.
import { describe, expect, it } from 'vitest'
import { fragment, Reassembler, type MediaFrame } from '../../core/media/fragments'
import type { MediaFragment } from '../../core/media/media-packet'
import { DUPLICATE_MS, RESENDS, SentFrames } from '../../core/media/sent-frames'
import { MAX_ASKS, VideoRepair, WINDOW, type RepairTiming } from '../../core/media/video-repair'

const TIMING: RepairTiming = { retryMs: 100, giveUpMs: 350 }
const frame = (seq: number, size = 3000, keyframe = false): MediaFrame => ({ stream: 'video', keyframe, seq, timestampUs: seq * 33_333, data: Buffer.alloc(size, seq & 0xff) })

/** A receiver as CallStream wires it: each fragment to the repair, then to the reassembler, whole frames to the repair. */
function receiver() {
  const asked: { seq: number; fragments: number[] }[] = []
  const out: number[] = []
  const repair = new VideoRepair((seq, fragments) => asked.push({ seq, fragments }), (f) => out.push(f.seq))
  const reassembler = new Reassembler()
  const arrive = (f: MediaFragment, now: number) => {
    repair.fragment(f, now, TIMING)
    const whole = reassembler.add(f)
    if (whole) repair.frame(whole, now, TIMING)
  }
  return { asked, out, repair, arrive }
}

describe('video repair, receiving', () => {
  it('asks at once for a fragment missing inside a frame, holds the frames after it, and releases them in order once it comes', () => {
    const r = receiver()
    const parts = fragment(frame(0))
    r.arrive(parts[0], 0)
    r.arrive(parts[2], 1)
    expect(r.asked).toEqual([{ seq: 0, fragments: [1] }])
    for (const p of fragment(frame(1, 500))) r.arrive(p, 30)
    for (const p of fragment(frame(2, 500))) r.arrive(p, 60)
    expect(r.out).toEqual([])
    r.arrive(parts[1], 90)
    expect(r.out).toEqual([0, 1, 2])
    expect(r.repair.stats).toEqual({ asks: 1, repaired: 1, lost: 0 })
    expect(r.repair.nextTickAt(TIMING)).toBeNull()
  })

  it('asks for the whole of a frame of which nothing came, and for the tail of one that stopped short, once a later frame shows it', () => {
    const r = receiver()
    const first = fragment(frame(0))
    r.arrive(first[0], 0)
    r.arrive(first[1], 1)
    // frame 0's last fragment and all of frame 1 are lost; frame 2 arrives
    for (const p of fragment(frame(2, 500))) r.arrive(p, 60)
    expect(r.asked).toEqual([
      { seq: 0, fragments: [2] },
      { seq: 1, fragments: [] }
    ])
    expect(r.out).toEqual([])
  })

  it('asks again each retry interval, at most MAX_ASKS times, then gives the frame up and lets the rest through with the gap', () => {
    const r = receiver()
    for (const p of fragment(frame(0, 500))) r.arrive(p, 0)
    for (const p of fragment(frame(2, 500))) r.arrive(p, 10)
    expect(r.out).toEqual([0])
    let now = 10
    while (r.repair.nextTickAt(TIMING) !== null) {
      now = r.repair.nextTickAt(TIMING)!
      r.repair.tick(now, TIMING)
    }
    expect(r.asked.map((a) => a.seq)).toEqual(Array(MAX_ASKS).fill(1))
    expect(now).toBe(10 + TIMING.giveUpMs)
    expect(r.out).toEqual([0, 2])
    expect(r.repair.stats).toEqual({ asks: MAX_ASKS, repaired: 0, lost: 1 })
    // a late copy of the frame given up changes nothing
    for (const p of fragment(frame(1, 500))) r.arrive(p, now + 1)
    expect(r.out).toEqual([0, 2])
  })

  it('lets a whole keyframe through at once, dropping the frames it no longer needs', () => {
    const r = receiver()
    for (const p of fragment(frame(0, 500))) r.arrive(p, 0)
    for (const p of fragment(frame(2, 500))) r.arrive(p, 10)
    for (const p of fragment(frame(3, 5000, true))) r.arrive(p, 20)
    expect(r.out).toEqual([0, 3])
    expect(r.repair.nextTickAt(TIMING)).toBeNull()
  })

  it('keeps no state for frames far ahead: a frame beyond the window restarts the order at itself', () => {
    const r = receiver()
    for (const p of fragment(frame(0, 500))) r.arrive(p, 0)
    for (const p of fragment(frame(WINDOW + 5, 500))) r.arrive(p, 10)
    expect(r.asked).toEqual([])
    expect(r.out).toEqual([0, WINDOW + 5])
  })
})

describe('video repair, sending', () => {
  it('sends asked-for fragments of recent frames again, each at most RESENDS times, and forgets old frames', () => {
    const sent = new SentFrames()
    for (let seq = 0; seq < 100; seq++) sent.add(fragment(frame(seq)))
    expect(sent.again(10, [], 0)).toEqual([])
    expect(sent.again(99, [1, 1, 7], 0).map((p) => [p.seq, p.fragment])).toEqual([[99, 1]])
    // the second copy of a nack, just after the first, asks for nothing more
    expect(sent.again(99, [1], DUPLICATE_MS - 1)).toEqual([])
    for (let i = 1; i < RESENDS; i++) expect(sent.again(99, [1], i * 100)).toHaveLength(1)
    expect(sent.again(99, [1], 1000)).toEqual([])
    expect(sent.again(98, [], 0).map((p) => p.fragment)).toEqual([0, 1, 2])
  })
})

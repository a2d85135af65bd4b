// The playout worklet's jitter buffer on a made-up audio clock: frames of 20 ms (960 samples at
// 48 kHz) whose every sample is seq + 0.25, so the output says which frame played when (concealment
// plays them at half gain, which no frame's value is); the device
// asks for 128 samples at a time. Times are in samples; nothing here reads a real clock.
import { describe, expect, it } from 'vitest'
import { PlayoutBuffer, type PlayoutOptions } from '../../renderer/src/lib/call/playout-buffer'

const RATE = 48_000
const MS = RATE / 1000
const F = 20 * MS
const Q = 128
const opts: PlayoutOptions = {
  frameSamples: F,
  maxFrames: 50,
  history: 100,
  quantile: 0.95,
  marginSamples: Q,
  initialTargetSamples: 40 * MS,
  maxTargetSamples: 300 * MS,
  slackSamples: 256
}

const pcm = (seq: number) => new Float32Array(F).fill(seq + 0.25)

interface Run {
  /** When each frame started playing (its first sample), by seq. */
  started: Map<number, number>
  /** Samples played that were no frame's own (concealment or silence) after the first frame. */
  filled: number
  buffer: PlayoutBuffer
}

/**
 * Plays until `endMs`; `arrive(seq)` gives when frame seq (captured at seq × 20 ms) arrives, or null
 * for a frame that never does. Arrivals are pushed before the quantum they fall in.
 */
function play(arrive: (seq: number) => number | null, endMs: number, frames = Math.ceil(endMs / 20)): Run {
  const buffer = new PlayoutBuffer(opts, RATE)
  const arrivals = Array.from({ length: frames }, (_, seq) => ({ seq, at: arrive(seq) }))
    .filter((a): a is { seq: number; at: number } => a.at !== null)
    .sort((x, y) => x.at - y.at || x.seq - y.seq)
  const started = new Map<number, number>()
  const out = new Float32Array(Q)
  let filled = 0
  let k = 0
  let last = -1
  for (let now = 0; now < endMs * MS; now += Q) {
    for (; k < arrivals.length && arrivals[k].at <= now; k++) buffer.push(arrivals[k].seq, pcm(arrivals[k].seq), now)
    buffer.render(out, now)
    for (let i = 0; i < Q; i++) {
      const seq = out[i] - 0.25
      const own = Number.isInteger(seq) && seq >= 0
      if (own && seq !== last && !started.has(seq)) started.set(seq, now + i)
      if (!own && started.size > 0) filled++
      if (own) last = seq
    }
  }
  return { started, filled, buffer }
}

/** How long each frame waited between arriving and starting to play, ms. */
function held(run: Run, arrive: (seq: number) => number | null, from = 0, to = Infinity): number[] {
  return [...run.started].filter(([seq]) => seq >= from && seq < to).map(([seq, at]) => (at - arrive(seq)!) / MS)
}

describe('playout buffer', () => {
  it('plays frames in order on the audio clock, reordered arrivals included', () => {
    // every frame 5 ms after its capture, but frame 10 comes just after frame 11
    const arrive = (seq: number) => (seq === 10 ? 11 * F + 6 * MS : seq * F + 5 * MS)
    const run = play(arrive, 2_000)
    const order = [...run.started.keys()]
    expect(order).toEqual([...order].sort((x, y) => x - y))
    expect(order).toContain(10)
    expect(order).toContain(11)
    expect(run.buffer.stats.lost).toBe(0)
  })

  it('on a quiet path holds frames for about a render quantum once it knows the path', () => {
    const arrive = (seq: number) => seq * F + 5 * MS
    const run = play(arrive, 10_000)
    // the first frames wait out the initial target; afterwards the target is the margin and the
    // quantum an arrival can fall anywhere in
    expect(run.buffer.stats.targetMs).toBeLessThanOrEqual((2 * Q) / MS + 0.01)
    expect(Math.max(...held(run, arrive, 200))).toBeLessThanOrEqual(10)
    expect(run.buffer.stats).toMatchObject({ lost: 0, late: 0 })
  })

  it('grows the target to cover arrivals that vary, and brings it down when they stop varying', () => {
    // for the first 6 s every fourth frame comes 30 ms later than the others (a page whose turns
    // come late now and then), then all come on time
    const late = (seq: number) => seq < 300 && seq % 4 === 0
    const arrive = (seq: number) => seq * F + (late(seq) ? 35 : 5) * MS
    const rough = play(arrive, 6_000, 300)
    expect(rough.buffer.stats.targetMs).toBeGreaterThanOrEqual(30)
    // once it covers them, the late frames play instead of being concealed
    const lostLate = held(rough, arrive, 150).length
    expect(lostLate).toBeGreaterThan(140)
    const calm = play(arrive, 20_000)
    expect(calm.buffer.stats.targetMs).toBeLessThanOrEqual((2 * Q) / MS + 0.01)
    expect(Math.max(...held(calm, arrive, 700))).toBeLessThanOrEqual(10)
  })

  it('conceals a frame that never came and drops one that comes after its turn', () => {
    const arrive = (seq: number) => (seq === 100 ? null : seq === 150 ? 150 * F + 400 * MS : seq * F + 5 * MS)
    const run = play(arrive, 5_000)
    expect(run.started.has(100)).toBe(false)
    expect(run.started.has(150)).toBe(false)
    expect(run.buffer.stats.lost).toBe(2)
    expect(run.buffer.stats.late).toBe(1)
  })

  it('starts at the newest frame when the first ones arrive in a backlog', () => {
    // frames 0-24 (half a second) all arrive at once at 500 ms, then the rest on time
    const arrive = (seq: number) => (seq < 25 ? 500 * MS : seq * F + 5 * MS)
    const run = play(arrive, 3_000)
    expect([...run.started.keys()][0]).toBe(24)
    expect(Math.max(...held(run, arrive))).toBeLessThanOrEqual(45)
  })

  it('conceals one short stall of the page instead of holding every frame longer', () => {
    // frames 300-309 arrive at once with frame 310 (a page that stalled for 200 ms, once the
    // window is full)
    const arrive = (seq: number) => (seq >= 300 && seq < 310 ? 310 * F + 5 * MS : seq * F + 5 * MS)
    const run = play(arrive, 12_000)
    expect(Math.max(...held(run, arrive, 310))).toBeLessThanOrEqual(10)
    expect(run.buffer.stats.lost).toBeLessThanOrEqual(10)
  })

  it('conceals a long stall too, but covers stalls that keep coming', () => {
    // frames 300-324 arrive at once with frame 325 (a page that stalled for half a second)
    const once = (seq: number) => (seq >= 300 && seq < 325 ? 325 * F + 5 * MS : seq * F + 5 * MS)
    const run = play(once, 12_000)
    expect(Math.max(...held(run, once, 325))).toBeLessThanOrEqual(10)
    // from frame 300 on, every fourth frame comes 40 ms late together with the next two
    const often = (seq: number) => (seq >= 300 && seq % 4 < 2 ? (seq - (seq % 4) + 2) * F + 5 * MS : seq * F + 5 * MS)
    const rough = play(often, 12_000)
    expect(rough.buffer.stats.targetMs).toBeGreaterThanOrEqual(40)
    expect(held(rough, often, 400).length).toBeGreaterThan(190)
  })

  it('skips frames to bring the delay back down after stalls that raised it', () => {
    // for 5 s, every second a stall of 200 ms; then on time for 10 s
    const stalled = (seq: number) => seq < 250 && seq % 50 < 10
    const arrive = (seq: number) => (stalled(seq) ? (seq - (seq % 50) + 10) * F + 5 * MS : seq * F + 5 * MS)
    const run = play(arrive, 16_000)
    expect(run.buffer.stats.skipped).toBeGreaterThan(0)
    expect(Math.max(...held(run, arrive, 650))).toBeLessThanOrEqual(10)
  })

  it('starts over when frames keep coming after their turn (the sender lost time and went on counting)', () => {
    // from frame 300 on every frame comes 3 s later than the ones before (its sender's capture
    // stalled and its seq went on from where it was): more than the target will ever cover
    const arrive = (seq: number) => seq * F + (seq < 300 ? 5 : 3005) * MS
    const run = play(arrive, 18_000)
    expect(run.buffer.stats.resyncs).toBe(1)
    expect(held(run, arrive, 320).length).toBeGreaterThan(350)
    expect(Math.max(...held(run, arrive, 320))).toBeLessThanOrEqual(45)
    // 400 ms later: the window turns over in 2 s, then the frames play on time again
    const shifted = (seq: number) => seq * F + (seq < 300 ? 5 : 405) * MS
    const healed = play(shifted, 14_000)
    expect(Math.max(...held(healed, shifted, 450))).toBeLessThanOrEqual(10)
  })

  it('stays bounded under a flood and starts over on a far jump in sequence', () => {
    const buffer = new PlayoutBuffer(opts, RATE)
    for (let seq = 0; seq < 10_000; seq++) buffer.push(seq % 49, pcm(0), 0)
    buffer.push(5_000, pcm(5_000), Q)
    const out = new Float32Array(Q)
    let first = -1
    for (let now = Q; now < RATE && first < 0; now += Q) {
      buffer.render(out, now)
      first = out.find((x) => x !== 0) ?? -1
    }
    expect((buffer as unknown as { frames: Map<number, unknown> }).frames.size).toBeLessThanOrEqual(opts.maxFrames)
    expect(first).toBe(5_000.25)
  })
})

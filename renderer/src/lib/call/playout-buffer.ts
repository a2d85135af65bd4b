// The call's jitter buffer, run by the playout worklet on the audio clock: decoded frames go in as
// they arrive, samples come out 128 at a time as the audio device asks for them. Keeping it there
// rather than on the page's main thread means the playout clock is the device's own: a page that is
// busy for a while only delays frames, never the clock that plays them (on the main thread a 10 ms
// timer, the decoder's callbacks and a ring in front of the device each added their own wait, and
// mouth to ear never went below ~105 ms on an idle LAN).
//
// The delay is chosen the way WebRTC's NetEQ chooses it. A frame's timeline position is seq × frame
// duration (not the sender's capture timestamps: on them, one lab call left nearly every frame late);
// each arrival's offset from it, less the smallest offset in the window (the fastest frame of the
// last `history` arrivals), is how late it came; the target is the window's `quantile` of that, plus
// a render quantum. On a quiet LAN that is a few ms; where arrivals vary it grows to cover 95 % of
// them, and comes back down as they leave the window. Frames that arrive together after a stall
// (of a page, a node, the decoder) are one observation, the first's: a stall now and then is
// concealed rather than covered for the next 2 s, while stalls as frequent as jitter are covered.
// Frame s is due at fastest offset + s × frame + target: a frame due with nothing to play is
// concealed (the last 20 ms again at half the gain each time, three times, then silence) and counted
// lost, one that comes after its turn is dropped (its lateness still counts). When the target or
// the fastest offset moves, playout inserts concealment before a frame or skips into it, by whole
// frames while later ones are held. Playout starts at the newest frame held, so a backlog that
// arrives at once at the start is not played late, and starts over the same way when a frame comes
// RESYNC_MS later than the fastest (its sender lost that much time and went on counting).
// All times are in samples of the audio clock; memory is bounded by maxFrames.

export interface PlayoutOptions {
  /** Samples per frame (the sender's frame duration). */
  frameSamples: number
  /** Frames held at most. */
  maxFrames: number
  /** Arrivals the target is taken from. */
  history: number
  quantile: number
  /** Added to the quantile: a render quantum, since arrivals are seen between quanta. */
  marginSamples: number
  /** The target until `history / 4` frames have arrived (the path is not known yet). */
  initialTargetSamples: number
  maxTargetSamples: number
  /** How far playout may drift from the target before it inserts or skips. */
  slackSamples: number
}

export interface PlayoutStats {
  played: number
  /** Frames concealed at their turn (lost, or later than the target allowed). */
  lost: number
  /** Frames that arrived after their turn. */
  late: number
  /** Frames skipped to bring a grown delay back down. */
  skipped: number
  /** Times the stream's capture clock jumped and the window started over. */
  resyncs: number
  targetMs: number
}

interface Held {
  pcm: Float32Array
  /** Arrival − seq × frame. */
  rel: number
}

const CONCEAL_RUN = 3
/** A frame this much later than the fastest one: the stream's timeline has moved. */
const RESYNC_MS = 2_000

export class PlayoutBuffer {
  private readonly frames = new Map<number, Held>()
  private readonly rel: number[] = []
  /** Whether each arrival in the window came on its own or first of several together. */
  private readonly leads: boolean[] = []
  private lastArrival = -Infinity
  private relAt = 0
  /** Arrival − seq × frame of the fastest frame in the window. */
  private fastest = 0
  private target: number
  private started = false
  private next = 0
  // what is playing now: buf[pos..end) at gain
  private buf: Float32Array
  private pos = 0
  private end = 0
  private gain = 1
  private readonly history: Float32Array
  private historyAt = 0
  private concealRun = 0
  private readonly ms: number
  readonly stats: PlayoutStats

  constructor(
    private readonly o: PlayoutOptions,
    sampleRate: number
  ) {
    this.target = o.initialTargetSamples
    this.buf = new Float32Array(o.frameSamples)
    this.history = new Float32Array(o.frameSamples)
    this.ms = sampleRate / 1000
    this.stats = { played: 0, lost: 0, late: 0, skipped: 0, resyncs: 0, targetMs: this.target / this.ms }
  }

  /** A decoded frame: its seq, and the audio clock now (samples). */
  push(seq: number, pcm: Float32Array, now: number): void {
    if (this.started && seq >= this.next + this.o.maxFrames) this.reset()
    const rel = now - seq * this.o.frameSamples
    // A frame that comes sooner than half a frame after the one before is part of a backlog being
    // passed on (a page, a node or the decoder that was held up): the first of them waited, the
    // rest only caught up, so only the first is an observation of lateness.
    const leads = now - this.lastArrival >= this.o.frameSamples / 2
    this.lastArrival = now
    if (this.rel.length > 0 && rel - this.fastest > RESYNC_MS * this.ms) {
      // The stream moved on without us: its sender lost capture time and went on counting, so every
      // frame from here on is as late. The delays measured so far say nothing about the frames from
      // here on: start over at this one. (A smaller move heals as the window turns over, in 2 s;
      // starting over on every run of late frames threw away what a loaded page had buffered.)
      this.stats.resyncs++
      this.rel.length = 0
      this.leads.length = 0
      this.relAt = 0
      this.reset()
    }
    this.observe(rel, leads)
    if (this.started && seq < this.next) {
      this.stats.late++
      return
    }
    if (this.frames.size >= this.o.maxFrames) return
    this.frames.set(seq, { pcm, rel })
  }

  /** Fills `out` with what plays from audio clock time `now` (samples). */
  render(out: Float32Array, now: number): void {
    let i = 0
    while (i < out.length) {
      if (this.pos >= this.end) this.nextPiece(now + i, out.length - i)
      const n = Math.min(out.length - i, this.end - this.pos)
      for (let k = 0; k < n; k++) {
        const x = this.buf[this.pos + k] * this.gain
        out[i + k] = x
        this.history[this.historyAt] = x
        this.historyAt = (this.historyAt + 1) % this.history.length
      }
      i += n
      this.pos += n
    }
  }

  /**
   * Only a leading frame's lateness counts towards the target, which so covers how often frames
   * come late, not how many came in one stall; every frame counts for the fastest offset.
   */
  private observe(rel: number, leads: boolean): void {
    const n = this.o.history
    if (this.rel.length < n) {
      this.rel.push(rel)
      this.leads.push(leads)
    } else {
      this.rel[this.relAt] = rel
      this.leads[this.relAt] = leads
    }
    this.relAt = (this.relAt + 1) % n
    let fastest = Infinity
    for (const r of this.rel) fastest = Math.min(fastest, r)
    this.fastest = fastest
    const lateness = this.rel.filter((_, i) => this.leads[i]).map((r) => r - fastest)
    lateness.sort((x, y) => x - y)
    const q = (lateness[Math.floor(this.o.quantile * (lateness.length - 1))] ?? 0) + this.o.marginSamples
    const floor = this.rel.length < n / 4 ? this.o.initialTargetSamples : this.o.marginSamples
    this.target = Math.min(this.o.maxTargetSamples, Math.max(floor, q))
    this.stats.targetMs = this.target / this.ms
  }

  private dueAt(seq: number): number {
    return this.fastest + seq * this.o.frameSamples + this.target
  }

  /** Sets what plays from time t: a frame, part of one, concealment or silence. */
  private nextPiece(t: number, room: number): void {
    if (!this.started && !this.start()) return this.silence(room)
    for (;;) {
      const held = this.frames.get(this.next)
      const due = this.dueAt(this.next)
      if (t + this.o.slackSamples < due) return this.conceal(Math.min(Math.ceil(due - t), this.o.frameSamples))
      if (held === undefined) {
        this.stats.lost++
        this.next++
        return this.conceal(this.o.frameSamples)
      }
      const behind = t - due
      if (behind >= this.o.frameSamples && this.frames.has(this.next + 1)) {
        this.frames.delete(this.next)
        this.stats.skipped++
        this.next++
        continue
      }
      this.frames.delete(this.next)
      this.stats.played++
      this.next++
      this.concealRun = 0
      this.buf = held.pcm
      this.pos = behind > this.o.slackSamples ? Math.min(Math.floor(behind), held.pcm.length - 1) : 0
      this.end = held.pcm.length
      this.gain = 1
      return
    }
  }

  /** Starts at the newest frame held: older ones came in a backlog and would only be played late. */
  private start(): boolean {
    if (this.frames.size === 0) return false
    const newest = Math.max(...this.frames.keys())
    for (const seq of this.frames.keys()) if (seq < newest) this.frames.delete(seq)
    // the backlog's delays are the start's, not the path's
    this.rel.length = 0
    this.leads.length = 0
    this.relAt = 0
    this.observe(this.frames.get(newest)!.rel, true)
    this.started = true
    this.next = newest
    return true
  }

  private reset(): void {
    this.frames.clear()
    this.started = false
  }

  private silence(n: number): void {
    this.buf = new Float32Array(n)
    this.pos = 0
    this.end = n
    this.gain = 1
  }

  /** The last frame's length of output again, at half the gain each time; silence after CONCEAL_RUN. */
  private conceal(n: number): void {
    this.concealRun++
    const len = this.history.length
    const copy = new Float32Array(n)
    for (let i = 0; i < n; i++) copy[i] = this.history[(this.historyAt + (i % len)) % len]
    this.buf = copy
    this.pos = 0
    this.end = n
    this.gain = this.concealRun <= CONCEAL_RUN ? 0.5 : 0
  }
}

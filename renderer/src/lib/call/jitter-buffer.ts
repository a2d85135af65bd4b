// Reorders frames of one stream and releases them on a steady clock: frame `seq` is due at the
// first frame's arrival + the target delay + (seq − first seq) × frame duration. A frame that is
// not there when due is released as lost (the player conceals it); one that arrives after its turn
// is dropped, and grows the delay by as much as it was late (up to a ceiling), so after one stall
// a jittery path costs a little latency instead of a stream of gaps. A frame later than the ceiling
// allows restarts the clock at itself: otherwise a stall longer than the ceiling would leave every
// later frame just as late, and the call silent for good. The delay also comes back down: after each
// SETTLE_MS with no late frame, by half of what the earliest-due frame of that stretch had to spare
// beyond a margin (never below the target), so a stall or a rough start does not cost latency for
// the rest of the call (the playout worklet sheds what this releases early); what frames have to
// spare beyond the target and the margin after that is the clock's own lateness, and the clock
// comes forward by half of it each time. Memory is bounded by maxFrames.
import type { EncodedMediaFrame } from './types'

/** How long frames must come on time before the delay comes down. */
export const SETTLE_MS = 1_000
/** What the delay leaves the frame with the least to spare. */
const SPARE_MS = 10

export interface JitterOptions {
  frameMs: number
  targetDelayMs: number
  maxDelayMs: number
  maxFrames: number
}

export interface Slot {
  seq: number
  frame: EncodedMediaFrame | null
}

export interface JitterStats {
  played: number
  lost: number
  late: number
  /** Times the clock restarted because frames came later than the delay ceiling allows. */
  resyncs: number
  delayMs: number
}

export class JitterBuffer {
  private readonly frames = new Map<number, EncodedMediaFrame>()
  private base = 0
  private baseSeq = -1
  private next = -1
  private delayMs: number
  /** When a frame last came late, or the delay last came down: the settling clock. */
  private settledAt = -Infinity
  /** The least time any frame had to spare before its turn, since settledAt. */
  private spare = Infinity
  readonly stats: JitterStats

  constructor(private readonly o: JitterOptions) {
    this.delayMs = o.targetDelayMs
    this.stats = { played: 0, lost: 0, late: 0, resyncs: 0, delayMs: o.targetDelayMs }
  }

  push(frame: EncodedMediaFrame, nowMs: number): void {
    if (this.baseSeq < 0 || frame.seq >= this.next + this.o.maxFrames) this.restart(frame.seq, nowMs)
    if (frame.seq < this.next) {
      this.stats.late++
      this.settledAt = nowMs
      this.spare = Infinity
      const lateBy = nowMs - this.dueAt(frame.seq)
      const grown = this.delayMs + Math.max(this.o.frameMs / 2, lateBy)
      this.delayMs = Math.min(this.o.maxDelayMs, grown)
      this.stats.delayMs = this.delayMs
      if (grown <= this.o.maxDelayMs) return
      // Later than the ceiling allows: every following frame would be as late and dropped too, so
      // the clock restarts at this frame (the frames already held are still ahead of it).
      this.stats.resyncs++
      this.setClock(frame.seq, nowMs)
    }
    if (this.frames.size >= this.o.maxFrames) return
    this.spare = Math.min(this.spare, this.dueAt(frame.seq) - nowMs)
    this.frames.set(frame.seq, frame)
  }

  /** Every slot due by nowMs, in order; frame null where it never arrived. */
  pull(nowMs: number): Slot[] {
    const out: Slot[] = []
    if (this.baseSeq < 0) return out
    this.settle(nowMs)
    while (this.dueAt(this.next) <= nowMs && out.length < this.o.maxFrames) {
      const frame = this.frames.get(this.next) ?? null
      this.frames.delete(this.next)
      if (frame === null) this.stats.lost++
      else this.stats.played++
      out.push({ seq: this.next, frame })
      this.next++
    }
    return out
  }

  private settle(nowMs: number): void {
    if (this.settledAt === -Infinity) this.settledAt = nowMs
    if (nowMs - this.settledAt < SETTLE_MS) return
    const spare = this.spare
    this.settledAt = nowMs
    this.spare = Infinity
    if (spare === Infinity || spare <= SPARE_MS) return
    const cut = (spare - SPARE_MS) / 2
    const fromDelay = Math.min(cut, this.delayMs - this.o.targetDelayMs)
    this.delayMs -= fromDelay
    this.stats.delayMs = this.delayMs
    // More to spare than the target leaves means the clock itself is late: it restarted at a frame
    // that came after a stall, and every frame since is held that much longer (measured: mouth to
    // ear stayed at 250-450 ms for the rest of a call after one early stall). Bring the clock forward.
    const excess = spare - fromDelay - this.o.targetDelayMs - SPARE_MS
    if (excess > 0) this.base -= excess / 2
  }

  private dueAt(seq: number): number {
    return this.base + this.delayMs + (seq - this.baseSeq) * this.o.frameMs
  }

  private restart(seq: number, nowMs: number): void {
    this.frames.clear()
    this.setClock(seq, nowMs)
  }

  private setClock(seq: number, nowMs: number): void {
    this.base = nowMs
    this.baseSeq = seq
    this.next = seq
  }
}

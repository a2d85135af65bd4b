// The receiver's side of repairing video. A VP8 delta frame that lost a fragment cannot be decoded,
// nor can any frame after it until the next keyframe; at 10 % packet loss that is most of them, and
// asking for a keyframe each time (tens of datagrams, themselves exposed to the same loss) left the
// picture frozen for seconds (test/lan/call-loss.test.ts). So the receiver asks the sender for just
// what is missing (./sent-frames.ts keeps it), as soon as it can tell: a fragment arriving after a
// hole in its frame, a frame whose last fragments never came once the next one starts, a frame of
// which nothing came once a later one arrives. It asks again every retry interval and gives the
// frame up after giveUpMs; meanwhile the frames behind it wait here, so they come out in order and
// the decoder never sees a gap that was repaired. A frame given up is skipped: the video receiver
// sees the gap and asks for a keyframe, as before. A keyframe that arrives whole releases everything
// held before it, since nothing after it depends on what came before. Memory is bounded: at most
// WINDOW frames past the next one are tracked, and a frame further ahead restarts the order at itself.
import type { MediaFrame } from './fragments'
import type { MediaFragment } from './media-packet'

export const WINDOW = 128
/** Asks per frame: with 10 % loss each way, three tries fail about once in a hundred. */
export const MAX_ASKS = 3

export interface RepairTiming {
  retryMs: number
  giveUpMs: number
}

/** From the round trip the path reports: a retry once an answer should have come, a deadline for two or three tries. */
export function repairTiming(rttMs: number | null): RepairTiming {
  const rtt = rttMs ?? 150
  return { retryMs: Math.min(300, Math.max(30, rtt * 1.5 + 20)), giveUpMs: Math.min(600, Math.max(150, rtt * 3 + 100)) }
}

interface Miss {
  since: number
  askedAt: number
  asks: number
  lost: boolean
}

export interface RepairStats {
  asks: number
  repaired: number
  lost: number
}

export class VideoRepair {
  private next = -1
  private highest = -1
  /** Fragments seen of frames not yet whole: how many the frame has, which came. */
  private readonly partial = new Map<number, { fragments: number; have: Set<number> }>()
  private readonly misses = new Map<number, Miss>()
  private readonly ready = new Map<number, MediaFrame>()
  readonly stats: RepairStats = { asks: 0, repaired: 0, lost: 0 }

  constructor(
    private readonly nack: (seq: number, fragments: number[]) => void,
    private readonly release: (frame: MediaFrame) => void
  ) {}

  /** Every video fragment as it arrives, before reassembly. */
  fragment(f: MediaFragment, nowMs: number, timing: RepairTiming): void {
    if (this.next < 0 || f.seq >= this.next + WINDOW) this.restart(f.seq)
    if (f.seq < this.next) return
    let part = this.partial.get(f.seq)
    if (part === undefined && f.fragments > 1 && !this.ready.has(f.seq)) {
      part = { fragments: f.fragments, have: new Set() }
      this.partial.set(f.seq, part)
    }
    part?.have.add(f.fragment)
    if (f.seq > this.highest) {
      // the frame before this one stopped short, and every frame between them never came
      if (this.highest >= this.next && this.partial.has(this.highest)) this.miss(this.highest, nowMs)
      for (let seq = Math.max(this.next, this.highest + 1); seq < f.seq; seq++) if (!this.ready.has(seq)) this.miss(seq, nowMs)
      this.highest = f.seq
    }
    if (part !== undefined && part.have.size < f.fragment + 1) this.miss(f.seq, nowMs)
    this.tick(nowMs, timing)
  }

  /** A whole frame from the reassembler. */
  frame(frame: MediaFrame, nowMs: number, timing: RepairTiming): void {
    if (this.next < 0) this.restart(frame.seq)
    if (frame.seq < this.next) return
    this.partial.delete(frame.seq)
    if (this.misses.delete(frame.seq)) this.stats.repaired++
    if (frame.keyframe && frame.seq > this.next) this.skipTo(frame.seq)
    this.ready.set(frame.seq, frame)
    this.tick(nowMs, timing)
  }

  /** Asks again and gives up by the clock, and releases what is in order; call it at nextTickAt. */
  tick(nowMs: number, timing: RepairTiming): void {
    for (const [seq, miss] of this.misses) {
      if (miss.lost) continue
      if (nowMs - miss.since >= timing.giveUpMs) {
        miss.lost = true
        this.stats.lost++
      } else if (miss.asks < MAX_ASKS && nowMs - miss.askedAt >= timing.retryMs) {
        miss.asks++
        miss.askedAt = nowMs
        this.stats.asks++
        this.nack(seq, this.wanted(seq))
      }
    }
    this.flush()
  }

  /** When tick has something to do next (an ask or a deadline), or null when nothing is missing. */
  nextTickAt(timing: RepairTiming): number | null {
    let at = Infinity
    for (const miss of this.misses.values()) {
      if (miss.lost) continue
      at = Math.min(at, miss.since + timing.giveUpMs)
      if (miss.asks < MAX_ASKS) at = Math.min(at, miss.askedAt + timing.retryMs)
    }
    return at === Infinity ? null : at
  }

  private miss(seq: number, nowMs: number): void {
    if (!this.misses.has(seq) && !this.ready.has(seq)) this.misses.set(seq, { since: nowMs, askedAt: -Infinity, asks: 0, lost: false })
  }

  /** The fragments of seq still missing; none listed (all of them) for a frame of which nothing came. */
  private wanted(seq: number): number[] {
    const part = this.partial.get(seq)
    if (part === undefined) return []
    const upTo = seq < this.highest ? part.fragments : Math.max(...part.have)
    const out: number[] = []
    for (let i = 0; i < upTo; i++) if (!part.have.has(i)) out.push(i)
    return out
  }

  private flush(): void {
    for (;;) {
      const frame = this.ready.get(this.next)
      if (frame !== undefined) {
        this.ready.delete(this.next)
        this.release(frame)
      } else if (this.misses.get(this.next)?.lost) {
        this.misses.delete(this.next)
        this.partial.delete(this.next)
      } else return
      this.next++
    }
  }

  private skipTo(seq: number): void {
    for (const map of [this.partial, this.misses, this.ready]) for (const key of map.keys()) if (key < seq) map.delete(key)
    this.next = seq
  }

  private restart(seq: number): void {
    this.partial.clear()
    this.misses.clear()
    this.ready.clear()
    this.next = seq
    this.highest = seq - 1
  }
}

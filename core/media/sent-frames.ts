// The sender's side of repairing video: the fragments of its last few video frames, kept so that a
// receiver that reports some of them missing (a 'nack', see ./video-repair.ts) gets them again
// within a round trip instead of waiting for a keyframe. Bounded by frames and bytes; each fragment
// goes out again at most RESENDS times, so a peer repeating nacks cannot make this side send more
// than RESENDS + 1 times what it sent. On a lossy path a receiver sends each nack twice: the copy
// that arrives within DUPLICATE_MS of the first asks for nothing more.
import type { MediaFragment } from './media-packet'

/** Two seconds of 30 fps video: longer than any receiver waits for a repair. */
const FRAMES = 60
const BYTES = 4 * 1024 * 1024
export const RESENDS = 3
export const DUPLICATE_MS = 30

interface Sent {
  parts: MediaFragment[]
  resent: Uint8Array
  resentAt: Float64Array
  bytes: number
}

export class SentFrames {
  private readonly frames = new Map<number, Sent>()
  private bytes = 0

  add(parts: MediaFragment[]): void {
    const seq = parts[0].seq
    const bytes = parts.reduce((n, p) => n + p.data.byteLength, 0)
    this.forget(seq)
    this.frames.set(seq, { parts, resent: new Uint8Array(parts.length), resentAt: new Float64Array(parts.length).fill(-Infinity), bytes })
    this.bytes += bytes
    for (const [old] of this.frames) {
      if (this.frames.size <= FRAMES && this.bytes <= BYTES) break
      this.forget(old)
    }
  }

  /** The fragments asked for (every one when `fragments` is empty) that are still here and not sent again too often. */
  again(seq: number, fragments: number[], nowMs: number): MediaFragment[] {
    const sent = this.frames.get(seq)
    if (sent === undefined) return []
    const wanted = fragments.length === 0 ? sent.parts.map((_, i) => i) : fragments
    const out: MediaFragment[] = []
    for (const i of new Set(wanted)) {
      if (i >= sent.parts.length || sent.resent[i] >= RESENDS || nowMs - sent.resentAt[i] < DUPLICATE_MS) continue
      sent.resent[i]++
      sent.resentAt[i] = nowMs
      out.push(sent.parts[i])
    }
    return out
  }

  private forget(seq: number): void {
    const sent = this.frames.get(seq)
    if (sent === undefined) return
    this.frames.delete(seq)
    this.bytes -= sent.bytes
  }
}

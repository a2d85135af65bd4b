// Whole encoded frames ↔ the fragments that fit one datagram each. An Opus frame is one fragment;
// a VP8 keyframe at 720p is tens. Reassembly keeps a few frames open per stream at most and drops a
// frame whose fragments do not all come within a window of newer frames, so a peer sending first
// fragments and never the rest holds a bounded amount of memory. A frame sent twice (a video
// keyframe, see CallStream.sendFrame) comes out once: the last few frames put together are
// remembered, and their fragments ignored.
import { MAX_FRAGMENT_BYTES } from './datagram'
import { MAX_FRAGMENTS, type MediaFragment, type StreamKind } from './media-packet'

export const MAX_FRAME_BYTES = MAX_FRAGMENTS * MAX_FRAGMENT_BYTES
const OPEN_FRAMES = 8
const DONE_FRAMES = 16

export interface MediaFrame {
  stream: StreamKind
  keyframe: boolean
  seq: number
  timestampUs: number
  data: Uint8Array
}

/** Throws RangeError for a frame too large to send. */
export function fragment(frame: MediaFrame): MediaFragment[] {
  if (frame.data.byteLength > MAX_FRAME_BYTES) throw new RangeError(`frame of ${frame.data.byteLength} bytes, at most ${MAX_FRAME_BYTES}`)
  const fragments = Math.max(1, Math.ceil(frame.data.byteLength / MAX_FRAGMENT_BYTES))
  return Array.from({ length: fragments }, (_, i) => ({
    kind: 'media',
    stream: frame.stream,
    keyframe: frame.keyframe,
    seq: frame.seq,
    timestampUs: frame.timestampUs,
    fragment: i,
    fragments,
    data: frame.data.subarray(i * MAX_FRAGMENT_BYTES, (i + 1) * MAX_FRAGMENT_BYTES)
  }))
}

interface Open {
  parts: (Uint8Array | undefined)[]
  have: number
  first: MediaFragment
}

export class Reassembler {
  private readonly open = new Map<string, Open>()
  private readonly done: string[] = []
  private dropped = 0

  get incomplete(): number {
    return this.dropped
  }

  /** The whole frame once its last missing fragment arrives, else null. */
  add(f: MediaFragment): MediaFrame | null {
    if (f.fragments === 1) return { stream: f.stream, keyframe: f.keyframe, seq: f.seq, timestampUs: f.timestampUs, data: f.data }
    const key = `${f.stream}:${f.seq}`
    if (this.done.includes(key)) return null
    let entry = this.open.get(key)
    if (entry === undefined) {
      entry = { parts: new Array<Uint8Array | undefined>(f.fragments), have: 0, first: f }
      this.open.set(key, entry)
      this.evict(f.stream)
    }
    if (entry.first.fragments !== f.fragments || entry.parts[f.fragment] !== undefined) return null
    entry.parts[f.fragment] = Buffer.from(f.data)
    entry.have++
    if (entry.have < f.fragments) return null
    this.open.delete(key)
    this.done.push(key)
    if (this.done.length > DONE_FRAMES) this.done.shift()
    const data = Buffer.concat(entry.parts as Uint8Array[])
    return { stream: f.stream, keyframe: entry.first.keyframe, seq: f.seq, timestampUs: entry.first.timestampUs, data }
  }

  private evict(stream: StreamKind): void {
    const mine = [...this.open.entries()].filter(([, e]) => e.first.stream === stream)
    if (mine.length <= OPEN_FRAMES) return
    mine.sort(([, a], [, b]) => a.first.seq - b.first.seq)
    for (const [key] of mine.slice(0, mine.length - OPEN_FRAMES)) {
      this.open.delete(key)
      this.dropped++
    }
  }
}

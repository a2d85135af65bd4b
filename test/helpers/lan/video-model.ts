// The app's video pipeline without the codec, for measuring video recovery between two nodes
// (test/lan/video-loss.test.ts), where two Chromiums encoding 720p would measure the machine's
// load instead. The sender makes frames of VP8-like sizes at 30 fps: a keyframe every
// KEYFRAME_INTERVAL frames and whenever the receiver asks, deltas between. The receiver follows
// renderer/src/lib/call/video-receive.ts: after a gap in the sequence, delta frames cannot be
// decoded, so they are skipped until the next keyframe and one is asked for, again every
// KEYFRAME_RETRY_MS while delta frames keep coming. Frames carry the sender's wall clock.
import type { MediaFrame } from '../../../core/api/types'

const FRAME_MS = 1000 / 30
const KEYFRAME_INTERVAL = 90
const KEYFRAME_RETRY_MS = 300

export interface VideoSizes {
  keyBytes: number
  deltaBytes: number
}

/** Sends frames for `seconds` through `send`; `wantKeyframe()` makes the next one a keyframe. */
export function startVideoSender(send: (frame: MediaFrame) => void, sizes: VideoSizes, seconds: number, done: (sent: number) => void) {
  let seq = 0
  let sinceKey = KEYFRAME_INTERVAL
  let wantKey = false
  const started = performance.now()
  const timer = setInterval(() => {
    if (performance.now() - started >= seconds * 1000) {
      clearInterval(timer)
      return done(seq)
    }
    const keyframe = wantKey || sinceKey >= KEYFRAME_INTERVAL
    sinceKey = keyframe ? 0 : sinceKey + 1
    wantKey = false
    const bytes = keyframe ? sizes.keyBytes : sizes.deltaBytes
    const timestampUs = Math.round((performance.timeOrigin + performance.now()) * 1000)
    send({ stream: 'video', keyframe, seq: seq++, timestampUs, data: Buffer.alloc(bytes, seq & 0xff).toString('base64') })
  }, FRAME_MS)
  return { wantKeyframe: () => void (wantKey = true) }
}

export interface VideoReport {
  /** Frames that would have been decoded. */
  decoded: number
  asks: number
  /** For each keyframe request, ms until the next frame decoded. */
  recoveries: number[]
  unrecovered: number
  longestFreezeMs: number
}

export class VideoReceiverModel {
  private next = -1
  private waitingForKey = true
  private askedAt = -Infinity
  private decodedAt: number[] = []
  private asks: number[] = []

  constructor(private readonly requestKeyframe: () => void) {}

  receive(frame: MediaFrame, nowMs: number): void {
    if (frame.seq < this.next) return
    if (this.next >= 0 && frame.seq !== this.next && !frame.keyframe) {
      if (!this.waitingForKey) this.ask(nowMs)
      this.waitingForKey = true
    }
    if (this.waitingForKey && !frame.keyframe && nowMs - this.askedAt >= KEYFRAME_RETRY_MS) this.ask(nowMs)
    this.next = frame.seq + 1
    if (this.waitingForKey && !frame.keyframe) return
    this.waitingForKey = false
    this.decodedAt.push(nowMs)
  }

  /** What happened since the last report. */
  report(): VideoReport {
    const recoveries: number[] = []
    let unrecovered = 0
    for (const ask of this.asks) {
      const next = this.decodedAt.find((t) => t > ask)
      if (next === undefined) unrecovered++
      else recoveries.push(next - ask)
    }
    let longestFreezeMs = 0
    for (let i = 1; i < this.decodedAt.length; i++) longestFreezeMs = Math.max(longestFreezeMs, this.decodedAt[i] - this.decodedAt[i - 1])
    const out = { decoded: this.decodedAt.length, asks: this.asks.length, recoveries, unrecovered, longestFreezeMs }
    this.decodedAt = []
    this.asks = []
    return out
  }

  private ask(nowMs: number): void {
    this.askedAt = nowMs
    this.asks.push(nowMs)
    this.requestKeyframe()
  }
}

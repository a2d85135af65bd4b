// One side's media for one active call, over a CallMedia: whole frames in and out (cut into
// datagrams and put back together here), video repaired by asking for lost fragments again
// (./video-repair.ts, ./sent-frames.ts) and delivered in order, keyframe requests, and once a second
// a probe and a report so each side knows the path's round trip and loss and the bitrate to send at.
// This is the interface the app's media hop (renderer or headless) talks to.
import { EventEmitter } from 'events'
import { fragment, Reassembler, type MediaFrame } from './fragments'
import type { CallMedia } from './media-link'
import type { MediaPacket, StreamKind } from './media-packet'
import { ReceiveMeter, SendMeter, type BitrateBounds, type PathQuality } from './path-meter'
import { SentFrames } from './sent-frames'
import { repairTiming, VideoRepair, type RepairStats, type RepairTiming } from './video-repair'

export const REPORT_INTERVAL_MS = 1000
export const AUDIO_BITRATE: BitrateBounds = { min: 12_000, max: 48_000, start: 32_000 }
export const VIDEO_BITRATE: BitrateBounds = { min: 150_000, max: 2_500_000, start: 1_000_000 }
/** Reported loss above which a nack, and what it asks for, go out twice (see repair). */
export const REPAIR_TWICE_LOSS = 0.02

export interface CallQuality extends PathQuality {
  audioBitrate: number
  videoBitrate: number
}

/** Events: 'frame' (MediaFrame), 'keyframe' (StreamKind: the remote asks for one), 'quality' (CallQuality). */
export class CallStream extends EventEmitter {
  private readonly reassembler = new Reassembler()
  private readonly receiveMeter = new ReceiveMeter()
  private readonly audio = new SendMeter(AUDIO_BITRATE)
  private readonly video = new SendMeter(VIDEO_BITRATE)
  private readonly timer: NodeJS.Timeout
  private readonly sent = new SentFrames()
  // A repair's nack and its answer each cross the lossy path once: at 10 % loss each way one try in
  // five failed, and two tries in the time a frame waits missed once in 25, a keyframe request each
  // (test/lan/video-loss.test.ts). Sent twice, a try fails about once in 50.
  private readonly repair = new VideoRepair(
    (seq, fragments) => this.twice({ kind: 'nack', stream: 'video', seq, fragments }),
    (frame) => this.emit('frame', frame)
  )
  private repairTimer: NodeJS.Timeout | null = null
  private readonly onPacket = (packet: MediaPacket, counter: number): void => this.receive(packet, counter)

  constructor(
    private readonly media: CallMedia,
    private readonly now: () => number = () => performance.timeOrigin + performance.now()
  ) {
    super()
    media.on('packet', this.onPacket)
    this.timer = setInterval(() => this.tick(), REPORT_INTERVAL_MS)
  }

  /**
   * Throws RangeError for a frame too large to send. A video keyframe in several datagrams is lost
   * if any one of them is, and everything after it waits for the next; on a path the remote reports
   * losing packets on, its datagrams go out again, round after round (twice under 5 % loss, three
   * times above), so the loss of a copy is survived. Measured in test/lan/call-loss.test.ts: at 10 %
   * loss a 720p keyframe of tens of datagrams almost never arrived whole once, and the picture froze
   * for seconds. A clean path gets one round.
   */
  sendFrame(frame: MediaFrame): void {
    const parts = fragment(frame)
    const loss = this.video.current.loss
    const rounds = frame.stream !== 'video' || !frame.keyframe || parts.length === 1 || loss === 0 ? 1 : loss < 0.05 ? 2 : 3
    if (frame.stream === 'video') this.sent.add(parts)
    for (let round = 0; round < rounds; round++) for (const part of parts) this.media.send(part)
  }

  requestKeyframe(stream: StreamKind): void {
    this.media.send({ kind: 'keyframe', stream })
  }

  quality(): CallQuality {
    return { ...this.video.current, ...this.audio.current, audioBitrate: this.audio.bitrate, videoBitrate: this.video.bitrate }
  }

  /** Video fragments asked for again, frames repaired, frames given up, as the receiving side. */
  repairStats(): RepairStats {
    return { ...this.repair.stats }
  }

  close(): void {
    clearInterval(this.timer)
    if (this.repairTimer !== null) clearTimeout(this.repairTimer)
    this.media.off('packet', this.onPacket)
  }

  private tick(): void {
    const nowMs = this.now()
    this.media.send({ kind: 'probe', sentAtUs: Math.round(nowMs * 1000) })
    this.media.send(this.receiveMeter.report(nowMs))
  }

  private receive(packet: MediaPacket, counter: number): void {
    this.receiveMeter.packet(counter, this.now(), packet)
    switch (packet.kind) {
      case 'media': {
        if (packet.stream === 'video') this.repair.fragment(packet, this.now(), this.timing())
        const frame = this.reassembler.add(packet)
        if (frame === null) return this.armRepair()
        if (frame.stream === 'video') this.repair.frame(frame, this.now(), this.timing())
        else this.emit('frame', frame)
        return this.armRepair()
      }
      case 'nack':
        if (packet.stream === 'video') for (const part of this.sent.again(packet.seq, packet.fragments, this.now())) this.twice(part)
        return
      case 'keyframe':
        this.emit('keyframe', packet.stream)
        return
      case 'report': {
        const nowUs = Math.round(this.now() * 1000)
        this.audio.report(packet, nowUs)
        this.video.report(packet, nowUs)
        this.emit('quality', this.quality())
        return
      }
      case 'probe':
        return
    }
  }

  /** Once on a clean path, twice on one the remote reports losing packets on. */
  private twice(packet: MediaPacket): void {
    this.media.send(packet)
    if (this.video.current.loss > REPAIR_TWICE_LOSS) this.media.send(packet)
  }

  private timing(): RepairTiming {
    return repairTiming(this.video.current.rttMs)
  }

  /** Wakes the repair when it next has to ask again or give a frame up. */
  private armRepair(): void {
    if (this.repairTimer !== null) clearTimeout(this.repairTimer)
    this.repairTimer = null
    const at = this.repair.nextTickAt(this.timing())
    if (at === null) return
    this.repairTimer = setTimeout(() => {
      this.repairTimer = null
      this.repair.tick(this.now(), this.timing())
      this.armRepair()
    }, Math.max(0, at - this.now()))
  }
}

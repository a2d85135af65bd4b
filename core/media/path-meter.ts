// What the receiver tells the sender about the path, and what the sender makes of it. The receiver
// counts datagrams against the sender's packet counter (contiguous per direction, so a gap is a
// loss) and keeps RFC 3550's interarrival jitter; once a second it reports those and echoes the
// sender's last probe with how long it held it, which gives the sender the round trip without
// synchronised clocks. The sender turns loss into a bitrate: multiplicative decrease above 10 %,
// a gentle additive increase below 2 %, within the codec's bounds.
import type { MediaPacket } from './media-packet'

type Report = Extract<MediaPacket, { kind: 'report' }>

export class ReceiveMeter {
  private highest = -1
  private lastReportedHighest = -1
  private received = 0
  private jitterUs = 0
  private lastTransitUs: number | null = null
  private lastProbe: { sentAtUs: number; arrivedMs: number } | null = null

  /** counter: the datagram's packet counter; timestampUs/arrivalMs only for media packets. */
  packet(counter: number, nowMs: number, packet: MediaPacket): void {
    this.received++
    if (counter > this.highest) this.highest = counter
    if (packet.kind === 'probe') this.lastProbe = { sentAtUs: packet.sentAtUs, arrivedMs: nowMs }
    if (packet.kind === 'media' && packet.fragment === 0) {
      const transit = nowMs * 1000 - packet.timestampUs
      if (this.lastTransitUs !== null) this.jitterUs += (Math.abs(transit - this.lastTransitUs) - this.jitterUs) / 16
      this.lastTransitUs = transit
    }
  }

  report(nowMs: number): Report {
    const expected = Math.max(0, this.highest - this.lastReportedHighest)
    const received = Math.min(this.received, expected)
    const out: Report = {
      kind: 'report',
      received,
      lost: expected - received,
      jitterUs: Math.round(this.jitterUs),
      echoUs: this.lastProbe?.sentAtUs ?? 0,
      heldUs: this.lastProbe ? Math.round((nowMs - this.lastProbe.arrivedMs) * 1000) : 0
    }
    this.lastReportedHighest = this.highest
    this.received = 0
    this.lastProbe = null
    return out
  }
}

export interface PathQuality {
  rttMs: number | null
  /** Fraction of datagrams lost in the last report, 0..1. */
  loss: number
  jitterMs: number
}

export interface BitrateBounds {
  min: number
  max: number
  start: number
}

export class SendMeter {
  private quality: PathQuality = { rttMs: null, loss: 0, jitterMs: 0 }
  private rate: number

  constructor(private readonly bounds: BitrateBounds) {
    this.rate = bounds.start
  }

  get current(): PathQuality {
    return { ...this.quality }
  }

  get bitrate(): number {
    return this.rate
  }

  /** Takes a report from the receiver; returns the bitrate to send at from now on. */
  report(r: Report, nowUs: number): number {
    const expected = r.received + r.lost
    const loss = expected === 0 ? 0 : r.lost / expected
    const rttUs = r.echoUs > 0 ? nowUs - r.echoUs - r.heldUs : null
    this.quality = {
      rttMs: rttUs !== null && rttUs >= 0 ? rttUs / 1000 : this.quality.rttMs,
      loss,
      jitterMs: r.jitterUs / 1000
    }
    if (loss > 0.1) this.rate = Math.max(this.bounds.min, Math.round(this.rate * 0.7))
    else if (loss < 0.02) this.rate = Math.min(this.bounds.max, Math.round(this.rate + this.bounds.start * 0.05))
    return this.rate
  }
}

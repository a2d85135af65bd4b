// Mouth-to-ear latency of a call, measured in the two pages: Alice's microphone plays tone bursts
// (burstWav), and each burst's onset is timed where the sender's page takes the audio in and where
// the receiver's page plays it out, on the wall clock both Chromiums read from the one machine.
//
// - Capture: every AudioData the app hands its Opus encoder (AudioEncoder.encode is wrapped) is
//   scanned; an onset is placed on the capture clock by the chunk's timestamp and its sample
//   index, and that clock is put on the wall clock by the smallest lag seen between a chunk's last
//   sample and its arrival in the page (so a page that stalls does not move the onsets). Capture's
//   own minimum delay before the page (the fake device, the browser's voice processing) is not counted.
// - Playout: an AnalyserNode on the call's playout worklet is read every 10 ms; an onset at context
//   time τ is played at the performance time getOutputTimestamp() gives for τ, which includes the
//   output latency the browser reports. Resolution: one render quantum and the poll's timing, ~3 ms.
// An onset is where the signal first reaches LOW after QUIET_MS below it, provided it then passes
// HIGH within RISE_MS (the voice processing and the codec soften the edge; both ends time it alike).
import type { Page } from 'playwright-core'

const HIGH = 0.05
const LOW = 0.01
const QUIET_MS = 10
const RISE_MS = 10

type Win = { arrivals: [number, number][]; captureOnsets: number[]; captureLag: number; playoutNodes: AudioWorkletNode[]; playoutOnsets: number[]; outputLatencyMs: number }

/** Before the app loads in the sending page: time the onsets the encoder is given. */
export async function meterCapture(page: Page): Promise<void> {
  await page.addInitScript(
    ({ high, low, quietMs, riseMs }) => {
      const w = window as unknown as Win
      w.captureOnsets = []
      w.captureLag = Infinity
      const encode = AudioEncoder.prototype.encode
      // samples seen, the last one at or above LOW, and where the current rise from quiet began
      let t = 0
      let loud = -Infinity
      let rise = -1
      AudioEncoder.prototype.encode = function (this: AudioEncoder, data: AudioData) {
        const n = data.numberOfFrames
        const perMs = data.sampleRate / 1000
        const start = data.timestamp / 1000
        w.captureLag = Math.min(w.captureLag, performance.timeOrigin + performance.now() - (start + n / perMs))
        const pcm = new Float32Array(n)
        data.copyTo(pcm, { planeIndex: 0, format: 'f32-planar' })
        for (let i = 0; i < n; i++, t++) {
          const x = Math.abs(pcm[i])
          if (x >= low) {
            if (t - loud >= quietMs * perMs) rise = t
            loud = t
          }
          if (rise >= 0 && x > high) {
            if (t - rise <= riseMs * perMs) w.captureOnsets.push(start + (i - (t - rise)) / perMs)
            rise = -1
          }
        }
        return encode.call(this, data)
      }
    },
    { high: HIGH, low: LOW, quietMs: QUIET_MS, riseMs: RISE_MS }
  )
}

/** Before the app loads in the receiving page: keep every AudioWorkletNode it makes (the call's playout is one). */
export async function watchPlayoutNodes(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const Native = AudioWorkletNode
    const w = window as unknown as Win
    w.playoutNodes = []
    window.AudioWorkletNode = class extends Native {
      constructor(...args: ConstructorParameters<typeof AudioWorkletNode>) {
        super(...args)
        w.playoutNodes.push(this)
      }
    }
  })
}

/**
 * Before the app loads in the receiving page: when each audio frame reaches the page from its
 * node (the web shell's WebSocket), with the frame's capture timestamp, so mouthToEar can split the
 * latency into capture → receiving page and the page's own part (jitter buffer, decoder, playout).
 */
export async function watchArrivals(page: Page): Promise<void> {
  // No named function inside: the bench runs under tsx, whose name-keeping helper the page lacks.
  await page.addInitScript(() => {
    const w = window as unknown as Win
    w.arrivals = []
    // the app's client listens through onmessage
    const onmessage = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'onmessage')!
    Object.defineProperty(WebSocket.prototype, 'onmessage', {
      ...onmessage,
      set(this: WebSocket, fn: ((e: MessageEvent) => void) | null) {
        onmessage.set!.call(
          this,
          fn &&
            ((e: MessageEvent) => {
              const data = e.data
              if (typeof data === 'string' && data.includes('"type":"media"') && w.arrivals.length < 10_000) {
                const frame = (JSON.parse(data) as { event: { frame: { stream: string; timestampUs: number } } }).event.frame
                if (frame.stream === 'audio') w.arrivals.push([frame.timestampUs / 1000, performance.timeOrigin + performance.now()])
              }
              fn.call(this, e)
            })
        )
      }
    })
  })
}

/** Times the onsets the call plays for `ms`, in the receiving page (after watchPlayoutNodes). */
export function meterPlayout(page: Page, ms: number): Promise<void> {
  return page.evaluate(
    async ({ ms, high, low, quietMs, riseMs }) => {
      const w = window as unknown as Win
      const node = w.playoutNodes.at(-1)
      if (!node) throw new Error('no playout node')
      const ctx = node.context as AudioContext
      const analyser = ctx.createAnalyser()
      analyser.fftSize = 4096
      node.connect(analyser)
      const buf = new Float32Array(analyser.fftSize)
      w.playoutOnsets = []
      w.outputLatencyMs = (ctx.outputLatency ?? 0) * 1000
      const end = Date.now() + ms
      while (Date.now() < end) {
        await new Promise((r) => setTimeout(r, 10))
        analyser.getFloatTimeDomainData(buf)
        const stamp = ctx.getOutputTimestamp()
        const last = ctx.currentTime
        const perMs = ctx.sampleRate / 1000
        // as in meterCapture, but within this window only: the quiet before a rise must be in it
        let loud = 0
        let rise = -1
        for (let i = 0; i < buf.length; i++) {
          const x = Math.abs(buf[i])
          if (x >= low) {
            if (i - loud >= quietMs * perMs) rise = i
            loud = i
          }
          if (rise < 0 || x <= high) continue
          if (i - rise <= riseMs * perMs) {
            const tau = last - (buf.length - rise) / ctx.sampleRate
            const at = performance.timeOrigin + (stamp.performanceTime ?? 0) + (tau - (stamp.contextTime ?? 0)) * 1000
            // the same onset stays in the analyser's window for several polls: keep its first sighting
            if (at - (w.playoutOnsets.at(-1) ?? -Infinity) > 200) w.playoutOnsets.push(at)
          }
          rise = -1
        }
      }
      analyser.disconnect()
    },
    { ms, high: HIGH, low: LOW, quietMs: QUIET_MS, riseMs: RISE_MS }
  )
}

export interface MouthToEar {
  /** One latency per burst heard, ms. */
  latencies: number[]
  captured: number
  played: number
  outputLatencyMs: number
  /** Capture → arrival in the receiving page, per audio frame, ms (empty without watchArrivals). */
  toPage: number[]
}

/**
 * Pairs each played onset with the latest captured one before it. Bursts are periodMs apart, so a
 * latency above that would pair with the wrong burst: pairs above it are not counted.
 */
export async function mouthToEar(sender: Page, receiver: Page, periodMs: number): Promise<MouthToEar> {
  const { onsets, lag } = await sender.evaluate(() => ({ onsets: (window as unknown as Win).captureOnsets, lag: (window as unknown as Win).captureLag }))
  const captured = onsets.map((at) => at + lag)
  const { played, outputLatencyMs, arrivals } = await receiver.evaluate(() => {
    const w = window as unknown as Win
    return { played: w.playoutOnsets, outputLatencyMs: w.outputLatencyMs, arrivals: w.arrivals ?? [] }
  })
  const toPage = arrivals.map(([captured, at]) => at - (captured + lag))
  const latencies: number[] = []
  for (const at of played) {
    const from = captured.filter((c) => c <= at).at(-1)
    if (from !== undefined && at - from < periodMs) latencies.push(at - from)
  }
  return { latencies, captured: captured.length, played: played.length, outputLatencyMs, toPage }
}

export const quantile = (values: number[], p: number): number => [...values].sort((x, y) => x - y)[Math.floor(p * (values.length - 1))] ?? NaN

// What a call sounds and looks like at the receiving page, for the LAN loss test: whether a known
// tone is heard in each second (the spectrum of what the playout worklet plays, sampled ten times a
// second), and how long the picture takes to come back after the page asked for a keyframe (the
// receiver asks when a gap in the video means it cannot decode until the next keyframe).
import type { Page } from 'playwright-core'

type Win = { playoutNodes: AudioWorkletNode[]; decodedAt: number[]; keyframeAsks: number[] }

/** Before the app loads in the receiving page: note when each video frame decodes and each keyframe request leaves. */
export async function watchVideo(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as Win
    w.decodedAt = []
    w.keyframeAsks = []
    const Native = VideoDecoder
    window.VideoDecoder = class extends Native {
      constructor(init: VideoDecoderInit) {
        super({ ...init, output: (frame) => (w.decodedAt.push(performance.now()), init.output(frame)) })
      }
    }
    const send = WebSocket.prototype.send
    WebSocket.prototype.send = function (this: WebSocket, data: Parameters<WebSocket['send']>[0]) {
      if (typeof data === 'string' && data.includes('"method":"requestKeyframe"')) w.keyframeAsks.push(performance.now())
      return send.call(this, data)
    }
  })
}

/** Of `seconds` one-second windows from now, how many had the tone as the spectrum's peak in at least half their ten samples. */
export function toneSeconds(page: Page, seconds: number, hz: number): Promise<number> {
  return page.evaluate(
    async ({ seconds, hz }) => {
      const node = (window as unknown as Win).playoutNodes.at(-1)
      if (!node) return 0
      const analyser = node.context.createAnalyser()
      analyser.fftSize = 8192
      analyser.smoothingTimeConstant = 0
      node.connect(analyser)
      const bins = new Float32Array(analyser.frequencyBinCount)
      const binHz = node.context.sampleRate / analyser.fftSize
      let heard = 0
      for (let s = 0; s < seconds; s++) {
        let hits = 0
        for (let i = 0; i < 10; i++) {
          await new Promise((r) => setTimeout(r, 100))
          analyser.getFloatFrequencyData(bins)
          let best = 0
          for (let k = 1; k < bins.length; k++) if (bins[k] > bins[best]) best = k
          const median = [...bins].sort((x, y) => x - y)[bins.length >> 1]
          if (Math.abs(best * binHz - hz) <= 2 * binHz && bins[best] - median > 30) hits++
        }
        if (hits >= 5) heard++
      }
      analyser.disconnect()
      return heard
    },
    { seconds, hz }
  )
}

export interface VideoRecovery {
  decoded: number
  asks: number
  /** For each keyframe request in the span, ms until the next frame decoded (none: it never did). */
  recoveries: number[]
  unrecovered: number
  /** The longest time without a decoded frame in the span, ms. */
  longestFreezeMs: number
}

/** Video decodes and keyframe requests in the receiving page between two of its performance.now() times. */
export async function videoRecovery(page: Page, from: number, to: number): Promise<VideoRecovery> {
  const { decodedAt, keyframeAsks } = await page.evaluate(() => {
    const w = window as unknown as Win
    return { decodedAt: w.decodedAt, keyframeAsks: w.keyframeAsks }
  })
  const decoded = decodedAt.filter((t) => t >= from && t <= to)
  const asks = keyframeAsks.filter((t) => t >= from && t <= to)
  const recoveries: number[] = []
  let unrecovered = 0
  for (const ask of asks) {
    const next = decodedAt.find((t) => t > ask)
    if (next === undefined) unrecovered++
    else recoveries.push(next - ask)
  }
  let longestFreezeMs = 0
  for (let i = 1; i < decoded.length; i++) longestFreezeMs = Math.max(longestFreezeMs, decoded[i] - decoded[i - 1])
  return { decoded: decoded.length, asks: asks.length, recoveries, unrecovered, longestFreezeMs }
}

export const pageNow = (page: Page): Promise<number> => page.evaluate(() => performance.now())

/** The sizes of the pictures a page shows (its canvases), e.g. '640×360'. */
export const shownSize = (page: Page): Promise<string> =>
  page.evaluate(() => [...document.querySelectorAll('canvas')].map((c) => `${c.width}×${c.height}`).join(', '))

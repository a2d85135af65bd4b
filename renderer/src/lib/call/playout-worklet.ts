// The audio thread's side of playout: decoded frames from the page go into the jitter buffer
// (./playout-buffer.ts), which the audio device's clock drains 128 samples at a time; about once a
// second its counters go back to the page.
import { PlayoutBuffer } from './playout-buffer'
import { PLAYOUT_PROCESSOR, type PlayoutMessage, type PlayoutReport } from './playout-protocol'

declare class AudioWorkletProcessor {
  readonly port: MessagePort
}
declare function registerProcessor(name: string, ctor: new () => AudioWorkletProcessor): void
declare const sampleRate: number
declare const currentFrame: number

const FRAME_MS = 20
/** Render quanta in about a second. */
const REPORT_BLOCKS = 375

class PlayoutProcessor extends AudioWorkletProcessor {
  private readonly buffer: PlayoutBuffer
  private blocks = 0

  constructor() {
    super()
    const ms = sampleRate / 1000
    this.buffer = new PlayoutBuffer(
      {
        frameSamples: FRAME_MS * ms,
        maxFrames: 50,
        // 2 s of arrivals, as NetEQ keeps: a rough start or a rough patch is forgotten that soon
        history: 100,
        quantile: 0.95,
        marginSamples: 128,
        initialTargetSamples: 40 * ms,
        maxTargetSamples: 300 * ms,
        slackSamples: 256
      },
      sampleRate
    )
    this.port.onmessage = (event: MessageEvent<PlayoutMessage>) => {
      const m = event.data
      this.buffer.push(m.seq, m.pcm, currentFrame)
    }
  }

  process(_inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    const out = outputs[0][0]
    this.buffer.render(out, currentFrame)
    for (let ch = 1; ch < outputs[0].length; ch++) outputs[0][ch].set(out)
    if (++this.blocks % REPORT_BLOCKS === 0) this.port.postMessage({ ...this.buffer.stats } satisfies PlayoutReport)
    return true
  }
}

registerProcessor(PLAYOUT_PROCESSOR, PlayoutProcessor)

// The audio thread's side of playout: a ring of decoded PCM, read 128 samples at a time. A lost
// frame is concealed here, where the recent output is: the last 20 ms played again at falling gain
// (three times at most, then silence), which smooths a single loss instead of a click. When more
// than maxLatency is buffered (the sender's clock runs fast, or a burst came in) the oldest samples
// are skipped, so delay cannot creep up. Below that, what never drained in half a second is a
// standing backlog (a page that stalled and then delivered its frames at once, or the jitter
// buffer's delay coming back down): all of it but KEEP is skipped at the end of the half second.
// Measured in test/lan/call-latency.test.ts: without this, a stall kept mouth-to-ear latency up to
// 400 ms for the rest of the call.
import { PLAYOUT_PROCESSOR, type PlayoutMessage } from './playout-protocol'

declare class AudioWorkletProcessor {
  readonly port: MessagePort
}
declare function registerProcessor(name: string, ctor: new () => AudioWorkletProcessor): void

const RING = 48_000
const MAX_LATENCY = 9_600
const HISTORY = 960
/** What the ring keeps at its lowest, against the main thread's timing (10 ms). */
const KEEP = 480
/** Render quanta of 128 samples in half a second at 48 kHz. */
const SHED_BLOCKS = 188

class PlayoutProcessor extends AudioWorkletProcessor {
  private readonly ring = new Float32Array(RING)
  private read = 0
  private write = 0
  private readonly history = new Float32Array(HISTORY)
  private historyAt = 0
  private concealRun = 0
  private underruns = 0
  private blocks = 0
  /** The least buffered at the start of any block since the last shed. */
  private lowest = Infinity

  constructor() {
    super()
    this.port.onmessage = (event: MessageEvent<PlayoutMessage>) => {
      const m = event.data
      if ('pcm' in m) {
        this.concealRun = 0
        this.append(m.pcm, 1)
      } else {
        this.concealRun++
        const gain = this.concealRun <= 3 ? 0.5 ** this.concealRun : 0
        const copy = new Float32Array(m.conceal)
        for (let i = 0; i < copy.length; i++) copy[i] = this.history[(this.historyAt + i) % HISTORY]
        this.append(copy, gain)
      }
    }
  }

  private append(samples: Float32Array, gain: number): void {
    for (let i = 0; i < samples.length; i++) {
      this.ring[this.write % RING] = samples[i] * gain
      this.write++
    }
    if (this.write - this.read > MAX_LATENCY) this.read = this.write - MAX_LATENCY
  }

  private shed(): void {
    this.lowest = Math.min(this.lowest, this.write - this.read)
    if (this.blocks % SHED_BLOCKS !== 0) return
    if (this.lowest > KEEP) this.read += this.lowest - KEEP
    this.lowest = Infinity
  }

  process(_inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    const out = outputs[0][0]
    this.shed()
    for (let i = 0; i < out.length; i++) {
      if (this.read < this.write) {
        out[i] = this.ring[this.read % RING]
        this.read++
      } else {
        out[i] = 0
        if (i === 0) this.underruns++
      }
      this.history[this.historyAt] = out[i]
      this.historyAt = (this.historyAt + 1) % HISTORY
    }
    for (let ch = 1; ch < outputs[0].length; ch++) outputs[0][ch].set(out)
    if (++this.blocks % 375 === 0) this.port.postMessage({ buffered: this.write - this.read, underruns: this.underruns })
    return true
  }
}

registerProcessor(PLAYOUT_PROCESSOR, PlayoutProcessor)

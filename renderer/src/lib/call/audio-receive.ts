// Opus frames from the network → jitter buffer → AudioDecoder → the playout worklet. Lost frames
// become conceal messages that keep their place in the decoder's output order, so the worklet
// hears PCM and concealment in the order the frames were meant to play.
import { JitterBuffer, type JitterStats } from './jitter-buffer'
import { OPUS_FRAME_US, OPUS_SAMPLE_RATE } from './audio-send'
import { PLAYOUT_PROCESSOR, type PlayoutMessage } from './playout-protocol'
import type { EncodedMediaFrame } from './types'

const FRAME_MS = OPUS_FRAME_US / 1000
const FRAME_SAMPLES = (OPUS_SAMPLE_RATE * OPUS_FRAME_US) / 1_000_000

export interface AudioReceiver {
  /** The node that plays the call; connected to the context's destination, tap it for metering. */
  readonly node: AudioWorkletNode
  readonly context: AudioContext
  receive(frame: EncodedMediaFrame): void
  stats(): JitterStats
  stop(): Promise<void>
}

export async function startAudioReceive(workletUrl: string | URL, context = new AudioContext({ sampleRate: OPUS_SAMPLE_RATE })): Promise<AudioReceiver> {
  await context.audioWorklet.addModule(workletUrl)
  const node = new AudioWorkletNode(context, PLAYOUT_PROCESSOR, { outputChannelCount: [1] })
  node.connect(context.destination)
  const post = (m: PlayoutMessage, transfer: Transferable[] = []) => node.port.postMessage(m, transfer)
  // Per decode call 'pcm', per lost frame 'conceal', in play order; decoder outputs come back in order.
  const order: ('pcm' | 'conceal')[] = []
  const flushConceal = () => {
    while (order[0] === 'conceal') {
      order.shift()
      post({ conceal: FRAME_SAMPLES })
    }
  }
  const decoder = new AudioDecoder({
    output: (data) => {
      flushConceal()
      order.shift()
      const pcm = new Float32Array(data.numberOfFrames)
      data.copyTo(pcm, { planeIndex: 0, format: 'f32-planar' })
      data.close()
      post({ pcm }, [pcm.buffer])
      flushConceal()
    },
    error: () => {}
  })
  decoder.configure({ codec: 'opus', sampleRate: OPUS_SAMPLE_RATE, numberOfChannels: 1 })
  const jitter = new JitterBuffer({ frameMs: FRAME_MS, targetDelayMs: 40, maxDelayMs: 200, maxFrames: 50 })
  const timer = setInterval(() => {
    for (const slot of jitter.pull(performance.now())) {
      if (slot.frame === null || decoder.state !== 'configured') {
        order.push('conceal')
        if (order.length === 1) flushConceal()
        continue
      }
      order.push('pcm')
      decoder.decode(new EncodedAudioChunk({ type: 'key', timestamp: slot.frame.timestampUs, data: slot.frame.data }))
    }
  }, FRAME_MS / 2)
  return {
    node,
    context,
    receive: (frame) => jitter.push(frame, performance.now()),
    stats: () => ({ ...jitter.stats }),
    stop: async () => {
      clearInterval(timer)
      if (decoder.state !== 'closed') decoder.close()
      node.disconnect()
      await context.close()
    }
  }
}

// Opus frames from the network → AudioDecoder → the playout worklet, which holds its jitter buffer
// (./playout-buffer.ts) on the audio clock. Frames are decoded as they arrive, so the page's main
// thread only passes them on and its own timing adds nothing but the hop; lost frames are
// concealed in the worklet, where the frames' turns are kept.
import { OPUS_SAMPLE_RATE } from './audio-send'
import type { PlayoutStats } from './playout-buffer'
import { PLAYOUT_PROCESSOR, type PlayoutMessage, type PlayoutReport } from './playout-protocol'
import type { EncodedMediaFrame } from './types'

export interface AudioReceiver {
  /** The node that plays the call; connected to the context's destination, tap it for metering. */
  readonly node: AudioWorkletNode
  readonly context: AudioContext
  receive(frame: EncodedMediaFrame): void
  /** The worklet's counters as of its last report (about once a second). */
  stats(): PlayoutStats
  stop(): Promise<void>
}

/** Frames waiting for the decoder, at most: a decoder that stops answering cannot grow it. */
const MAX_PENDING = 50

/**
 * The browser's default ('interactive') buffer. latencyHint 0 asks for the smallest: in headless
 * Chromium 150 here 128 samples and 8 ms of output latency against 480 and 32 ms, but the audio
 * thread must then be on time every 2.7 ms, and on a loaded machine it was not: the e2e call test
 * heard its tone in 0-4 of 20 windows at load 15-30, and in all of them with the default.
 */
export function callAudioContext(): AudioContext {
  return new AudioContext({ sampleRate: OPUS_SAMPLE_RATE })
}

export async function startAudioReceive(workletUrl: string | URL, context = callAudioContext()): Promise<AudioReceiver> {
  await context.audioWorklet.addModule(workletUrl)
  const node = new AudioWorkletNode(context, PLAYOUT_PROCESSOR, { outputChannelCount: [1] })
  node.connect(context.destination)
  let stats: PlayoutStats = { played: 0, lost: 0, late: 0, skipped: 0, resyncs: 0, targetMs: 0 }
  node.port.onmessage = (event: MessageEvent<PlayoutReport>) => {
    stats = event.data
  }
  // decode order; outputs come back in it, and a chunk that gives none is passed over by timestamp
  const pending: { seq: number; timestampUs: number }[] = []
  const decoder = new AudioDecoder({
    output: (data) => {
      const match = pending.findIndex((p) => p.timestampUs === data.timestamp)
      const frame = match >= 0 ? pending.splice(0, match + 1).at(-1) : pending.shift()
      if (frame === undefined) return data.close()
      const pcm = new Float32Array(data.numberOfFrames)
      data.copyTo(pcm, { planeIndex: 0, format: 'f32-planar' })
      data.close()
      node.port.postMessage({ seq: frame.seq, pcm } satisfies PlayoutMessage, [pcm.buffer])
    },
    error: () => {}
  })
  decoder.configure({ codec: 'opus', sampleRate: OPUS_SAMPLE_RATE, numberOfChannels: 1 })
  return {
    node,
    context,
    receive: (frame) => {
      if (decoder.state !== 'configured' || pending.length >= MAX_PENDING) return
      pending.push({ seq: frame.seq, timestampUs: frame.timestampUs })
      decoder.decode(new EncodedAudioChunk({ type: 'key', timestamp: frame.timestampUs, data: frame.data }))
    },
    stats: () => ({ ...stats }),
    stop: async () => {
      if (decoder.state !== 'closed') decoder.close()
      node.disconnect()
      await context.close()
    }
  }
}

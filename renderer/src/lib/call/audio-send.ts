// Microphone → Opus. Frames of 20 ms with in-band FEC, so a receiver can rebuild a lost frame from
// the next one; the bitrate can be changed during the call (the sender lowers it on reported loss).
import type { EncodedMediaFrame } from './types'

export const OPUS_SAMPLE_RATE = 48_000
export const OPUS_FRAME_US = 20_000
export const OPUS_BITRATE = 32_000

export interface AudioSender {
  setBitrate(bps: number): void
  /** The seq the next frame takes: a sender for another microphone goes on from it. */
  nextSeq(): number
  stop(): void
}

export function opusConfig(bitrate: number): AudioEncoderConfig {
  return {
    codec: 'opus',
    sampleRate: OPUS_SAMPLE_RATE,
    numberOfChannels: 1,
    bitrate,
    opus: { frameDuration: OPUS_FRAME_US, useinbandfec: true, packetlossperc: 10 }
  } as AudioEncoderConfig
}

export function startAudioSend(track: MediaStreamTrack, onFrame: (frame: EncodedMediaFrame) => void, firstSeq = 0, bitrate = OPUS_BITRATE): AudioSender {
  let seq = firstSeq
  let stopped = false
  const encoder = new AudioEncoder({
    output: (chunk) => {
      const data = new Uint8Array(chunk.byteLength)
      chunk.copyTo(data)
      onFrame({ stream: 'audio', keyframe: true, seq: seq++, timestampUs: chunk.timestamp, data })
    },
    error: () => stop()
  })
  encoder.configure(opusConfig(bitrate))
  const reader = new MediaStreamTrackProcessor<AudioData>({ track }).readable.getReader()
  void (async () => {
    while (!stopped) {
      const { value, done } = await reader.read()
      if (done || value === undefined) break
      if (encoder.state === 'configured') encoder.encode(value)
      value.close()
    }
  })()
  function stop(): void {
    if (stopped) return
    stopped = true
    void reader.cancel().catch(() => {})
    if (encoder.state !== 'closed') encoder.close()
  }
  return {
    setBitrate: (bps) => {
      if (encoder.state === 'configured') encoder.configure(opusConfig(bps))
    },
    nextSeq: () => seq,
    stop
  }
}

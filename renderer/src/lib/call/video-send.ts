// Camera → VP8, in realtime mode. A keyframe every few seconds and on the receiver's request (after
// it lost part of one), so a picture recovers within one round trip of a loss.
import type { EncodedMediaFrame } from './types'

export const KEYFRAME_INTERVAL_FRAMES = 90

export interface VideoSender {
  requestKeyframe(): void
  setBitrate(bps: number): void
  /** The seq the next frame takes: a sender for another camera or the screen goes on from it. */
  nextSeq(): number
  stop(): void
}

export interface VideoSendOptions {
  width: number
  height: number
  framerate: number
  bitrate: number
}

function vp8Config(o: VideoSendOptions): VideoEncoderConfig {
  return { codec: 'vp8', width: o.width, height: o.height, framerate: o.framerate, bitrate: o.bitrate, latencyMode: 'realtime' }
}

export function startVideoSend(track: MediaStreamTrack, o: VideoSendOptions, onFrame: (frame: EncodedMediaFrame) => void, firstSeq = 0): VideoSender {
  let seq = firstSeq
  let sinceKey = 0
  let wantKey = true
  let stopped = false
  let config = o
  const encoder = new VideoEncoder({
    output: (chunk) => {
      const data = new Uint8Array(chunk.byteLength)
      chunk.copyTo(data)
      onFrame({ stream: 'video', keyframe: chunk.type === 'key', seq: seq++, timestampUs: chunk.timestamp, data })
    },
    error: () => stop()
  })
  encoder.configure(vp8Config(config))
  const reader = new MediaStreamTrackProcessor<VideoFrame>({ track }).readable.getReader()
  void (async () => {
    while (!stopped) {
      const { value, done } = await reader.read()
      if (done || value === undefined) break
      // A queue building up in the encoder only adds delay: drop the frame instead.
      if (encoder.state === 'configured' && encoder.encodeQueueSize < 2) {
        const keyFrame = wantKey || sinceKey >= KEYFRAME_INTERVAL_FRAMES
        encoder.encode(value, { keyFrame })
        sinceKey = keyFrame ? 0 : sinceKey + 1
        wantKey = false
      }
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
    requestKeyframe: () => {
      wantKey = true
    },
    setBitrate: (bitrate) => {
      config = { ...config, bitrate }
      if (encoder.state === 'configured') encoder.configure(vp8Config(config))
    },
    nextSeq: () => seq,
    stop
  }
}

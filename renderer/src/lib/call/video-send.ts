// Camera → VP8, in realtime mode. A keyframe every few seconds and on the receiver's request (after
// it lost part of one), so a picture recovers within one round trip of a loss. A camera's capture
// size steps down while this machine cannot encode it in time (encode-load.ts) and back up when it
// can; a shared screen keeps its size, since its text must stay legible, and loses frames instead
// (a frame that finds the encoder busy is dropped). When the frames change size the encoder follows.
import { EncodeLoad, SCALES } from './encode-load'
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
  /** Step the capture size down while encoding cannot keep up (a camera: yes; a screen: no). */
  adaptSize?: boolean
}

const even = (n: number) => Math.max(2, Math.round(n) & ~1)

function vp8Config(o: VideoSendOptions): VideoEncoderConfig {
  return { codec: 'vp8', width: o.width, height: o.height, framerate: o.framerate, bitrate: o.bitrate, latencyMode: 'realtime' }
}

export function startVideoSend(track: MediaStreamTrack, o: VideoSendOptions, onFrame: (frame: EncodedMediaFrame) => void, firstSeq = 0): VideoSender {
  let seq = firstSeq
  let sinceKey = 0
  let wantKey = true
  let stopped = false
  let config = o
  const load = o.adaptSize ? new EncodeLoad(1000 / o.framerate) : null
  // given back at stop, so the camera is at its own size for whatever sends it next
  const initial = track.getConstraints()
  /** When each frame in the encoder went in, by timestamp; bounded, as the encoder may drop frames. */
  const started = new Map<number, number>()
  const adapt = (move: -1 | 0 | 1) => {
    if (move === 0 || load === null) return
    const scale = SCALES[load.level]
    const constraints = { ...track.getConstraints(), width: { ideal: even(o.width * scale) }, height: { ideal: even(o.height * scale) } }
    void track.applyConstraints(constraints).catch(() => {})
  }
  const encoder = new VideoEncoder({
    output: (chunk) => {
      const data = new Uint8Array(chunk.byteLength)
      chunk.copyTo(data)
      onFrame({ stream: 'video', keyframe: chunk.type === 'key', seq: seq++, timestampUs: chunk.timestamp, data })
      const at = started.get(chunk.timestamp)
      started.delete(chunk.timestamp)
      if (at !== undefined && load) adapt(load.encoded(performance.now() - at, performance.now()))
    },
    error: () => stop()
  })
  encoder.configure(vp8Config(config))
  const encode = (frame: VideoFrame) => {
    const width = even(frame.displayWidth)
    const height = even(frame.displayHeight)
    if (width !== config.width || height !== config.height) {
      config = { ...config, width, height }
      encoder.configure(vp8Config(config))
      wantKey = true
    }
    const keyFrame = wantKey || sinceKey >= KEYFRAME_INTERVAL_FRAMES
    started.set(frame.timestamp, performance.now())
    if (started.size > 2 * o.framerate) started.delete(started.keys().next().value!)
    encoder.encode(frame, { keyFrame })
    sinceKey = keyFrame ? 0 : sinceKey + 1
    wantKey = false
  }
  const reader = new MediaStreamTrackProcessor<VideoFrame>({ track }).readable.getReader()
  void (async () => {
    while (!stopped) {
      const { value, done } = await reader.read()
      if (done || value === undefined) break
      // A queue building up in the encoder only adds delay: drop the frame instead.
      if (encoder.state === 'configured' && encoder.encodeQueueSize < 2) encode(value)
      else if (load) adapt(load.droppedFrame(performance.now()))
      value.close()
    }
  })()
  function stop(): void {
    if (stopped) return
    stopped = true
    void reader.cancel().catch(() => {})
    if (encoder.state !== 'closed') encoder.close()
    if (load && load.level > 0) void track.applyConstraints(initial).catch(() => {})
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

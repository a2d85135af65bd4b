// Loaded into the test's Chromium pages: the renderer's call media modules behind a small window API
// the test drives. Alice's page captures and encodes, Bob's page decodes, plays and meters.
import { openCapture } from '../../../renderer/src/lib/call/capture'
import { startAudioSend } from '../../../renderer/src/lib/call/audio-send'
import { startVideoSend } from '../../../renderer/src/lib/call/video-send'
import { startAudioReceive, type AudioReceiver } from '../../../renderer/src/lib/call/audio-receive'
import { startVideoReceive, type VideoReceiver } from '../../../renderer/src/lib/call/video-receive'
import type { EncodedMediaFrame } from '../../../renderer/src/lib/call/types'

import { decodeTestFrame, encodeTestFrame, KEYFRAME_REQUEST } from './frame-wire'

declare global {
  interface Window {
    media: typeof media
  }
}

// The page's hop to the core is a WebSocket, as in the web shell (the test's server stands in for it).
const socket = new WebSocket(location.origin.replace('http', 'ws') + '/media' + location.search)
const hops: number[] = []
socket.binaryType = 'arraybuffer'
const opened = new Promise((resolve) => socket.addEventListener('open', resolve, { once: true }))
socket.addEventListener('message', (event: MessageEvent<ArrayBuffer>) => {
  const bytes = new Uint8Array(event.data)
  if (bytes.byteLength === 1 && bytes[0] === KEYFRAME_REQUEST) return keyframe?.()
  const frame = decodeTestFrame(bytes)
  hops.push(performance.timeOrigin + performance.now() - frame.sentAtMs)
  if (frame.stream === 'audio') audioIn?.receive(frame)
  else videoIn?.receive(frame)
})

let audioIn: AudioReceiver | null = null
let videoIn: VideoReceiver | null = null
let analyser: AnalyserNode | null = null
let keyframe: (() => void) | null = null
let camera: MediaStreamTrack | null = null

const media = {
  async send(video: boolean): Promise<{ audio: MediaTrackSettings; video: MediaTrackSettings | null }> {
    await opened
    const stream = await openCapture({ audio: true, video, width: 640, height: 360 })
    const out = (frame: EncodedMediaFrame) => socket.send(encodeTestFrame(frame, performance.timeOrigin + performance.now()))
    startAudioSend(stream.getAudioTracks()[0], out)
    const track = stream.getVideoTracks()[0]
    if (track) {
      camera = track
      const s = track.getSettings()
      const sender = startVideoSend(track, { width: s.width ?? 640, height: s.height ?? 480, framerate: 30, bitrate: 1_000_000 }, out)
      keyframe = () => sender.requestKeyframe()
    }
    return { audio: stream.getAudioTracks()[0].getSettings(), video: track ? track.getSettings() : null }
  },
  /** Asks the camera for another size mid-call, as the sender's size steps do; the size it gives. */
  async resize(width: number, height: number): Promise<MediaTrackSettings> {
    await camera!.applyConstraints({ width: { ideal: width }, height: { ideal: height } })
    return camera!.getSettings()
  },
  async receive(): Promise<void> {
    await opened
    audioIn = await startAudioReceive('/worklet.js')
    analyser = audioIn.context.createAnalyser()
    analyser.fftSize = 8192
    analyser.smoothingTimeConstant = 0
    audioIn.node.connect(analyser)
    const canvas = document.createElement('canvas')
    document.body.append(canvas)
    videoIn = startVideoReceive(canvas, () => socket.send(new Uint8Array([KEYFRAME_REQUEST])))
  },
  /** The strongest frequency in the played audio now, and how far it stands above the median bin (dB). */
  peak(): { hz: number; aboveMedianDb: number } {
    if (!analyser || !audioIn) return { hz: 0, aboveMedianDb: 0 }
    const bins = new Float32Array(analyser.frequencyBinCount)
    analyser.getFloatFrequencyData(bins)
    let best = 0
    for (let i = 1; i < bins.length; i++) if (bins[i] > bins[best]) best = i
    const sorted = [...bins].sort((a, b) => a - b)
    const median = sorted[sorted.length >> 1]
    return { hz: (best * audioIn.context.sampleRate) / analyser.fftSize, aboveMedianDb: bins[best] - median }
  },
  stats() {
    const sorted = [...hops].sort((x, y) => x - y)
    const hopMs = { p50: sorted[sorted.length >> 1], p95: sorted[Math.floor(sorted.length * 0.95)] }
    return { hopMs, audio: audioIn?.stats(), videoDecoded: videoIn?.decoded ?? 0, videoSize: videoIn ? { ...videoIn.size } : null }
  }
}

window.media = media

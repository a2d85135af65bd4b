// Loaded into the test's Chromium pages: the renderer's call media modules behind a small window API
// the test drives. Alice's page captures and encodes, Bob's page decodes, plays and meters.
import { openCapture } from '../../../renderer/src/lib/call/capture'
import { startAudioSend } from '../../../renderer/src/lib/call/audio-send'
import { startVideoSend } from '../../../renderer/src/lib/call/video-send'
import { startAudioReceive, type AudioReceiver } from '../../../renderer/src/lib/call/audio-receive'
import { startVideoReceive, type VideoReceiver } from '../../../renderer/src/lib/call/video-receive'
import type { EncodedMediaFrame } from '../../../renderer/src/lib/call/types'

interface WireFrame extends Omit<EncodedMediaFrame, 'data'> {
  data: string
}

declare global {
  interface Window {
    sendFrame(frame: WireFrame): void
    requestKeyframe(): void
    media: typeof media
  }
}

const b64 = (bytes: Uint8Array): string => {
  let s = ''
  for (const b of bytes) s += String.fromCharCode(b)
  return btoa(s)
}
const unb64 = (text: string): Uint8Array => Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0))

let audioIn: AudioReceiver | null = null
let videoIn: VideoReceiver | null = null
let analyser: AnalyserNode | null = null
let keyframe: (() => void) | null = null

const media = {
  async send(video: boolean): Promise<{ audio: MediaTrackSettings; video: MediaTrackSettings | null }> {
    const stream = await openCapture({ audio: true, video })
    const out = (frame: EncodedMediaFrame) => window.sendFrame({ ...frame, data: b64(frame.data) })
    startAudioSend(stream.getAudioTracks()[0], out)
    const track = stream.getVideoTracks()[0]
    if (track) {
      const s = track.getSettings()
      const sender = startVideoSend(track, { width: s.width ?? 640, height: s.height ?? 480, framerate: 30, bitrate: 1_000_000 }, out)
      keyframe = () => sender.requestKeyframe()
    }
    return { audio: stream.getAudioTracks()[0].getSettings(), video: track ? track.getSettings() : null }
  },
  requestKeyframe(): void {
    keyframe?.()
  },
  async receive(): Promise<void> {
    audioIn = await startAudioReceive('/worklet.js')
    analyser = audioIn.context.createAnalyser()
    analyser.fftSize = 8192
    analyser.smoothingTimeConstant = 0
    audioIn.node.connect(analyser)
    const canvas = document.createElement('canvas')
    document.body.append(canvas)
    videoIn = startVideoReceive(canvas, () => window.requestKeyframe())
  },
  deliver(frames: WireFrame[]): void {
    for (const f of frames) {
      const frame = { ...f, data: unb64(f.data) }
      if (frame.stream === 'audio') audioIn?.receive(frame)
      else videoIn?.receive(frame)
    }
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
    return { audio: audioIn?.stats(), videoDecoded: videoIn?.decoded ?? 0, videoSize: videoIn ? { ...videoIn.size } : null }
  }
}

window.media = media

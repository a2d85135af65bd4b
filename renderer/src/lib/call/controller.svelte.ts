// The call as the app shows it: the current call from the API's events, and the media pipeline of
// this page while the call is active (capture → encoders → sendMedia; media events → jitter buffer,
// decoders, playout). Ended calls reach the conversation as call lines of its history (Message.call).
import type { CairnApi, Call, CallQuality, CairnEvent, ContactId } from '../../../../core/api/types'
import { startAudioReceive, type AudioReceiver } from './audio-receive'
import { startAudioSend, type AudioSender } from './audio-send'
import { openCapture, stopCapture } from './capture'
import { startVideoReceive, type VideoReceiver } from './video-receive'
import { startVideoSend, type VideoSender } from './video-send'
import { fromWire, toWire } from './wire'

export class CallController {
  current = $state.raw<Call | null>(null)
  quality = $state.raw<CallQuality | null>(null)
  activeSince = $state<number | null>(null)
  muted = $state(false)
  cameraOn = $state(false)
  error = $state<string | null>(null)
  /** Where the other side's video is drawn; the call screen puts it on the page. */
  readonly remoteVideo: HTMLCanvasElement | null = typeof document === 'undefined' ? null : document.createElement('canvas')
  /** The played audio, for meters (and the end-to-end test). */
  audio: AudioReceiver | null = null
  #capture: MediaStream | null = null
  #audioOut: AudioSender | null = null
  #videoOut: VideoSender | null = null
  #videoIn: VideoReceiver | null = null

  constructor(
    private readonly api: CairnApi,
    private readonly workletUrl: string
  ) {}

  async start(contact: ContactId, video: boolean): Promise<void> {
    this.error = null
    this.current = await this.api.startCall(contact, video)
  }

  async accept(video: boolean): Promise<void> {
    const call = this.current
    if (!call) return
    this.current = await this.api.acceptCall(call.id, video)
    await this.#startMedia(this.current)
  }

  async decline(): Promise<void> {
    if (this.current) await this.api.declineCall(this.current.id)
  }

  async hangup(): Promise<void> {
    if (this.current) await this.api.hangup(this.current.id)
  }

  toggleMute(): void {
    this.muted = !this.muted
    for (const t of this.#capture?.getAudioTracks() ?? []) t.enabled = !this.muted
  }

  toggleCamera(): void {
    this.cameraOn = !this.cameraOn
    for (const t of this.#capture?.getVideoTracks() ?? []) t.enabled = this.cameraOn
  }

  apply(e: CairnEvent): void {
    switch (e.type) {
      case 'call':
        if (this.current !== null && this.current.id !== e.call.id) return
        this.current = e.call
        if (e.call.phase === 'active' && e.call.direction === 'out') void this.#startMedia(e.call)
        return
      case 'call-ended':
        if (this.current?.id === e.call.id) {
          this.current = null
          this.#stopMedia()
        }
        return
      case 'media':
        if (e.call !== this.current?.id) return
        if (e.frame.stream === 'audio') this.audio?.receive(fromWire(e.frame))
        else this.#videoIn?.receive(fromWire(e.frame))
        return
      case 'keyframe-request':
        if (e.call === this.current?.id) this.#videoOut?.requestKeyframe()
        return
      case 'call-quality':
        if (e.call !== this.current?.id) return
        this.quality = e.quality
        this.#audioOut?.setBitrate(e.quality.audioBitrate)
        this.#videoOut?.setBitrate(e.quality.videoBitrate)
        return
    }
  }

  async #startMedia(call: Call): Promise<void> {
    if (this.activeSince !== null) return
    this.activeSince = Date.now()
    const send = (frame: Parameters<typeof toWire>[0]) => void this.api.sendMedia(call.id, toWire(frame)).catch(() => {})
    try {
      this.audio = await startAudioReceive(this.workletUrl)
      if (this.remoteVideo) this.#videoIn = startVideoReceive(this.remoteVideo, () => void this.api.requestKeyframe(call.id, 'video').catch(() => {}))
      this.#capture = await openCapture({ audio: true, video: call.video })
      this.#audioOut = startAudioSend(this.#capture.getAudioTracks()[0], send)
      const camera = this.#capture.getVideoTracks()[0]
      if (camera) {
        const s = camera.getSettings()
        this.cameraOn = true
        this.#videoOut = startVideoSend(camera, { width: s.width ?? 640, height: s.height ?? 480, framerate: 30, bitrate: 1_000_000 }, send)
      }
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err)
    }
  }

  #stopMedia(): void {
    this.#audioOut?.stop()
    this.#videoOut?.stop()
    this.#videoIn?.stop()
    void this.audio?.stop().catch(() => {})
    if (this.#capture) stopCapture(this.#capture)
    this.#audioOut = this.#videoOut = this.#videoIn = this.audio = this.#capture = null
    this.activeSince = null
    this.quality = null
    this.muted = false
    this.cameraOn = false
  }
}

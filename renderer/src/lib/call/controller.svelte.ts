// The call as the app shows it: the current call from the API's events, and the media pipeline of
// this page while the call is active (capture → encoders → sendMedia; media events → jitter buffer,
// decoders, playout). Ended calls reach the conversation as call lines of its history (Message.call).
import type { CairnApi, Call, CallQuality, CairnEvent, ContactId } from '../../../../core/api/types'
import { startAudioReceive, type AudioReceiver } from './audio-receive'
import { startAudioSend, type AudioSender } from './audio-send'
import { openCapture, stopCapture } from './capture'
import { startRingtone, type Ringtone } from './ringtone'
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
  /** Microphones, cameras and speakers, once capture has been allowed (their labels come with it). */
  devices = $state.raw<MediaDeviceInfo[]>([])
  microphoneId = $state('')
  cameraId = $state('')
  speakerId = $state('')
  sharingScreen = $state(false)
  /** Where the other side's video is drawn; the call screen puts it on the page. */
  readonly remoteVideo: HTMLCanvasElement | null = typeof document === 'undefined' ? null : document.createElement('canvas')
  /** The played audio, for meters (and the end-to-end test). */
  audio: AudioReceiver | null = null
  #capture: MediaStream | null = null
  #audioOut: AudioSender | null = null
  #videoOut: VideoSender | null = null
  #videoIn: VideoReceiver | null = null
  #ring: Ringtone | null = null
  #screen: MediaStream | null = null
  #send: ((frame: Parameters<typeof toWire>[0]) => void) | null = null

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
    this.#ringing(false)
    this.current = await this.api.acceptCall(call.id, video)
    await this.#startMedia(this.current)
  }

  async decline(): Promise<void> {
    this.#ringing(false)
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
        this.#ringing(e.call.direction === 'in' && e.call.phase === 'ringing')
        if (e.call.phase === 'active' && e.call.direction === 'out') void this.#startMedia(e.call)
        return
      case 'call-ended':
        if (this.current?.id === e.call.id) {
          this.current = null
          this.#ringing(false)
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

  /** Another microphone: a new capture track, and the Opus sender goes on from the same seq. */
  async useMicrophone(deviceId: string): Promise<void> {
    const old = this.#capture?.getAudioTracks()[0]
    if (!this.#capture || !this.#send) return
    const track = (await openCapture({ audio: true, video: false, microphoneId: deviceId })).getAudioTracks()[0]
    track.enabled = !this.muted
    const from = this.#audioOut?.nextSeq() ?? 0
    this.#audioOut?.stop()
    if (old) {
      this.#capture.removeTrack(old)
      old.stop()
    }
    this.#capture.addTrack(track)
    this.#audioOut = startAudioSend(track, this.#send, from, this.quality?.audioBitrate)
    this.microphoneId = deviceId
  }

  /** Another camera: its track replaces the old one (while no screen is shared, it is what is sent). */
  async useCamera(deviceId: string): Promise<void> {
    const old = this.#capture?.getVideoTracks()[0]
    if (!this.#capture || !old) return
    const track = (await openCapture({ audio: false, video: true, cameraId: deviceId })).getVideoTracks()[0]
    track.enabled = this.cameraOn
    this.#capture.removeTrack(old)
    old.stop()
    this.#capture.addTrack(track)
    if (!this.sharingScreen) this.#sendVideo(track)
    this.cameraId = deviceId
  }

  /** Where the call plays (AudioContext.setSinkId, Chromium 110 and later). */
  async useSpeaker(deviceId: string): Promise<void> {
    const context = this.audio?.context as (AudioContext & { setSinkId?: (id: string) => Promise<void> }) | undefined
    if (!context?.setSinkId) throw new Error('this browser cannot choose where a call plays')
    await context.setSinkId(deviceId)
    this.speakerId = deviceId
  }

  /** Sends the screen (getDisplayMedia) instead of the camera until stopSharing or the browser ends it. */
  async shareScreen(): Promise<void> {
    if (!this.#send || this.sharingScreen) return
    const screen = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15 } }, audio: false })
    const track = screen.getVideoTracks()[0]
    track.addEventListener('ended', () => this.stopSharing())
    this.#screen = screen
    this.sharingScreen = true
    this.#sendVideo(track)
  }

  stopSharing(): void {
    if (!this.#screen) return
    stopCapture(this.#screen)
    this.#screen = null
    this.sharingScreen = false
    const camera = this.#capture?.getVideoTracks()[0]
    if (camera) this.#sendVideo(camera)
    else {
      this.#videoOut?.stop()
      this.#videoOut = null
    }
  }

  #sendVideo(track: MediaStreamTrack): void {
    if (!this.#send) return
    const s = track.getSettings()
    const from = this.#videoOut?.nextSeq() ?? 0
    this.#videoOut?.stop()
    const bitrate = this.quality?.videoBitrate ?? 1_000_000
    // even sizes: VP8 encodes whole macroblock pairs
    const size = (n: number | undefined, fallback: number) => (n ?? fallback) & ~1
    const adaptSize = track !== this.#screen?.getVideoTracks()[0]
    this.#videoOut = startVideoSend(track, { width: size(s.width, 640), height: size(s.height, 480), framerate: 30, bitrate, adaptSize }, this.#send, from)
  }

  #ringing(on: boolean): void {
    if (on && this.#ring === null) {
      try {
        this.#ring = startRingtone()
      } catch {
        this.#ring = null
      }
    } else if (!on && this.#ring !== null) {
      this.#ring.stop()
      this.#ring = null
    }
  }

  async #refreshDevices(): Promise<void> {
    this.devices = (await navigator.mediaDevices.enumerateDevices().catch(() => [])).filter((d) => d.deviceId !== '')
    const track = (kind: 'audio' | 'video') => this.#capture?.getTracks().find((t) => t.kind === kind)?.getSettings().deviceId ?? ''
    this.microphoneId = track('audio')
    this.cameraId = track('video')
  }

  async #startMedia(call: Call): Promise<void> {
    if (this.activeSince !== null) return
    this.activeSince = Date.now()
    const send = (frame: Parameters<typeof toWire>[0]) => void this.api.sendMedia(call.id, toWire(frame)).catch(() => {})
    this.#send = send
    try {
      this.audio = await startAudioReceive(this.workletUrl)
      if (this.remoteVideo) this.#videoIn = startVideoReceive(this.remoteVideo, () => void this.api.requestKeyframe(call.id, 'video').catch(() => {}))
      this.#capture = await openCapture({ audio: true, video: call.video })
      this.#audioOut = startAudioSend(this.#capture.getAudioTracks()[0], send)
      const camera = this.#capture.getVideoTracks()[0]
      if (camera) {
        this.cameraOn = true
        this.#sendVideo(camera)
      }
      await this.#refreshDevices()
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
    if (this.#screen) stopCapture(this.#screen)
    this.#audioOut = this.#videoOut = this.#videoIn = this.audio = this.#capture = this.#screen = this.#send = null
    this.sharingScreen = false
    this.activeSince = null
    this.quality = null
    this.muted = false
    this.cameraOn = false
  }
}

// Voice notes: recorded with MediaRecorder as Opus (in Ogg where the browser records it, else in
// WebM, which is what Chromium and Electron make), sent as a file of a voice-note media type, and
// shown with a waveform and a duration computed from the decoded audio on each side (Chromium's
// WebM recordings carry no duration, and nothing beyond the bytes has to travel).
import type { VoiceNoteMediaType } from '../../../core/api/types'
import { VOICE_NOTE_MEDIA_TYPES } from '../../../core/api/validate'

/** A recording stops by itself after this long, so a forgotten one cannot grow without bound. */
export const MAX_VOICE_NOTE_MS = 10 * 60_000
/** Bars in a voice note's waveform. */
export const WAVEFORM_BARS = 48

const RECORDING_TYPES: ReadonlyArray<{ recorder: string; mediaType: VoiceNoteMediaType; extension: string }> = [
  { recorder: 'audio/ogg;codecs=opus', mediaType: 'audio/vnd.cairn.voice+ogg', extension: 'ogg' },
  { recorder: 'audio/webm;codecs=opus', mediaType: 'audio/vnd.cairn.voice+webm', extension: 'webm' }
]

export type RecordingType = (typeof RECORDING_TYPES)[number]

/** The first Opus container this browser records, or null where it records none. */
export function recordingType(supported: (type: string) => boolean): RecordingType | null {
  return RECORDING_TYPES.find((t) => supported(t.recorder)) ?? null
}

export function isVoiceNote(mediaType: string): boolean {
  return (VOICE_NOTE_MEDIA_TYPES as readonly string[]).includes(mediaType)
}

/** The container type a player understands, for a voice note's bytes. */
export function playableType(mediaType: string): string {
  return mediaType.replace('vnd.cairn.voice+', '')
}

/** A file name for a note recorded at `at`, e.g. voice-note-2026-12-01-0712.webm. */
export function voiceNoteName(at: Date, extension: string): string {
  const two = (n: number) => String(n).padStart(2, '0')
  return `voice-note-${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())}-${two(at.getHours())}${two(at.getMinutes())}${two(at.getSeconds())}.${extension}`
}

/** m:ss (h:mm:ss past an hour). */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds))
  const [h, m, r] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60]
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(r).padStart(2, '0')}` : `${m}:${String(r).padStart(2, '0')}`
}

/**
 * The peak of each of `bars` equal stretches of the samples, scaled so the loudest bar is 1 (a
 * silent note stays flat at 0). Each value is between 0 and 1.
 */
export function waveform(samples: Float32Array, bars = WAVEFORM_BARS): number[] {
  const peaks = new Array<number>(bars).fill(0)
  if (samples.length === 0) return peaks
  for (let i = 0; i < samples.length; i++) {
    const bar = Math.min(bars - 1, Math.floor((i * bars) / samples.length))
    const v = Math.abs(samples[i])
    if (v > peaks[bar]) peaks[bar] = v
  }
  const loudest = Math.max(...peaks)
  return loudest > 0 ? peaks.map((p) => Math.min(1, p / loudest)) : peaks
}

export interface VoiceSummary {
  durationSeconds: number
  bars: number[]
}

/** Decodes a note's bytes once to learn its length and draw its waveform (first channel). */
export async function summarise(bytes: ArrayBuffer): Promise<VoiceSummary> {
  const ctx = new OfflineAudioContext(1, 1, 48_000)
  const audio = await ctx.decodeAudioData(bytes)
  return { durationSeconds: audio.duration, bars: waveform(audio.getChannelData(0)) }
}

export interface Recording {
  blob: Blob
  mediaType: VoiceNoteMediaType
  name: string
  durationMs: number
}

/** One recording from the microphone, from start() to stop() (or cancel()). */
export class VoiceRecorder {
  #recorder: MediaRecorder | null = null
  #type: RecordingType | null = null
  #stream: MediaStream | null = null
  #chunks: Blob[] = []
  #startedAt = 0
  #limit: ReturnType<typeof setTimeout> | undefined
  #stopped: Promise<Blob> | null = null

  constructor(private readonly onlimit: () => void) {}

  get startedAt(): number {
    return this.#startedAt
  }

  async start(): Promise<void> {
    const type = recordingType((t) => MediaRecorder.isTypeSupported(t))
    if (!type) throw new Error('This browser cannot record Opus audio')
    this.#stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true } })
    const recorder = new MediaRecorder(this.#stream, { mimeType: type.recorder, audioBitsPerSecond: 32_000 })
    this.#recorder = recorder
    this.#type = type
    this.#chunks = []
    recorder.ondataavailable = (e) => e.data.size > 0 && this.#chunks.push(e.data)
    this.#stopped = new Promise((resolve, reject) => {
      recorder.onstop = () => resolve(new Blob(this.#chunks, { type: type.recorder }))
      recorder.onerror = () => reject(new Error('The recording failed'))
    })
    recorder.start(1000)
    this.#startedAt = performance.now()
    this.#limit = setTimeout(() => this.onlimit(), MAX_VOICE_NOTE_MS)
  }

  /** Ends the recording and hands over what it holds. */
  async stop(): Promise<Recording> {
    const recorder = this.#recorder
    const type = this.#type
    if (!recorder || !this.#stopped || !type) throw new Error('Not recording')
    const durationMs = performance.now() - this.#startedAt
    recorder.stop()
    try {
      const blob = await this.#stopped
      return { blob, mediaType: type.mediaType, name: voiceNoteName(new Date(), type.extension), durationMs }
    } finally {
      this.#release()
    }
  }

  /** Ends the recording and drops it. */
  cancel(): void {
    if (this.#recorder?.state === 'recording') this.#recorder.stop()
    this.#release()
  }

  #release(): void {
    clearTimeout(this.#limit)
    for (const track of this.#stream?.getTracks() ?? []) track.stop()
    this.#stream = null
    this.#recorder = null
    this.#type = null
    this.#stopped = null
    this.#chunks = []
  }
}

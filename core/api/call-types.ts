// The calls part of the API contract (see types.ts): a call's state, its end, and the media frames
// the renderer and the core exchange.
import type { ContactId } from './types'

export type CallPhase = 'calling' | 'ringing' | 'active' | 'ended'

/** Why a call ended: declined/busy/unavailable are the callee's answers; missed is an unanswered incoming call. */
export type CallEndReason = 'hangup' | 'declined' | 'busy' | 'unavailable' | 'timeout' | 'failed' | 'missed'

export interface Call {
  /** 32 hex characters, unique per call. */
  id: string
  contact: ContactId
  direction: 'in' | 'out'
  video: boolean
  phase: CallPhase
  /** Four words both screens show once the call is active; the same on both when no one sits in between. */
  sas: string[] | null
}

export interface CallEnd {
  reason: CallEndReason
  by: 'local' | 'remote'
  /** How long the call was active, ms (0 if it never was). */
  durationMs: number
}

export type MediaKind = 'audio' | 'video'

/** One encoded frame (Opus or VP8) between the renderer and the core; data is base64. */
export interface MediaFrame {
  stream: MediaKind
  keyframe: boolean
  seq: number
  /** Capture time on the sender's media clock, microseconds. */
  timestampUs: number
  data: string
}

export interface CallQuality {
  /** Round trip of the call's datagrams, ms; null until the first report. */
  rttMs: number | null
  /** Fraction of the other side's datagrams lost in the last second, 0..1. */
  loss: number
  jitterMs: number
  audioBitrate: number
  videoBitrate: number
}

/**
 * What became of a call, as a line in the conversation's history (Message.call). answered: it was
 * active; missed: it rang here and no one took it (or this node was busy or could not take calls);
 * the others end an outgoing call before it was answered: the callee declined, was busy or could not
 * take calls, it rang out (unanswered), I hung up first (cancelled), or the connection failed.
 */
export type CallOutcome = 'answered' | 'missed' | 'declined' | 'busy' | 'unavailable' | 'unanswered' | 'cancelled' | 'failed'

export interface CallLine {
  video: boolean
  outcome: CallOutcome
  /** How long the call was active, ms (0 unless answered). */
  durationMs: number
}

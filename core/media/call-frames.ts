// Call control frames. They ride the pair's control channel (reliable, ordered, Noise-encrypted
// between the two identities), one frame per control message. Layout: version byte, type byte, the
// 16-byte call id, then the type's fields; a frame is at most a few dozen bytes and trailing bytes
// are refused. The offer names the ratchet session the caller binds the call to (either side may
// briefly hold two sessions while a simultaneous start converges); the callee rings only if it
// holds that session.
import c from 'compact-encoding'
import { CALL_ID_BYTES, EPHEMERAL_BYTES, SESSION_ID_BYTES } from './call-key'
import { decodeAll, MediaWireError, readEnum, readFlag, type State } from './codec'

export const CALL_FRAME_VERSION = 1
export const MAX_CALL_FRAME_BYTES = 80

export type DeclineReason = 'declined' | 'busy' | 'unavailable'
export type HangupReason = 'hangup' | 'timeout' | 'failed'

export type CallFrame =
  | { type: 'offer'; callId: Buffer; video: boolean; ephemeral: Buffer; sessionId: Buffer }
  | { type: 'ringing'; callId: Buffer }
  | { type: 'accept'; callId: Buffer; video: boolean; ephemeral: Buffer }
  | { type: 'decline'; callId: Buffer; reason: DeclineReason }
  | { type: 'hangup'; callId: Buffer; reason: HangupReason }

const TYPES = ['offer', 'ringing', 'accept', 'decline', 'hangup'] as const
const DECLINE_REASONS: readonly DeclineReason[] = ['declined', 'busy', 'unavailable']
const HANGUP_REASONS: readonly HangupReason[] = ['hangup', 'timeout', 'failed']

function check(frame: CallFrame): void {
  if (!TYPES.includes(frame.type)) throw new MediaWireError('unknown call frame type')
  if (!(frame.callId instanceof Uint8Array) || frame.callId.byteLength !== CALL_ID_BYTES) {
    throw new MediaWireError(`call id must be ${CALL_ID_BYTES} bytes`)
  }
  if (frame.type === 'offer' || frame.type === 'accept') {
    if (!(frame.ephemeral instanceof Uint8Array) || frame.ephemeral.byteLength !== EPHEMERAL_BYTES) {
      throw new MediaWireError(`ephemeral key must be ${EPHEMERAL_BYTES} bytes`)
    }
    if (typeof frame.video !== 'boolean') throw new MediaWireError('video is not a boolean')
  }
  if (frame.type === 'offer' && (!(frame.sessionId instanceof Uint8Array) || frame.sessionId.byteLength !== SESSION_ID_BYTES)) {
    throw new MediaWireError(`session id must be ${SESSION_ID_BYTES} bytes`)
  }
  if (frame.type === 'decline' && !DECLINE_REASONS.includes(frame.reason)) throw new MediaWireError('unknown decline reason')
  if (frame.type === 'hangup' && !HANGUP_REASONS.includes(frame.reason)) throw new MediaWireError('unknown hangup reason')
}

function writeBody(state: State, frame: CallFrame): void {
  c.uint8.encode(state, CALL_FRAME_VERSION)
  c.uint8.encode(state, TYPES.indexOf(frame.type))
  c.fixed(CALL_ID_BYTES).encode(state, frame.callId)
  switch (frame.type) {
    case 'offer':
    case 'accept':
      c.uint8.encode(state, frame.video ? 1 : 0)
      c.fixed32.encode(state, frame.ephemeral)
      if (frame.type === 'offer') c.fixed(SESSION_ID_BYTES).encode(state, frame.sessionId)
      return
    case 'decline':
      c.uint8.encode(state, DECLINE_REASONS.indexOf(frame.reason))
      return
    case 'hangup':
      c.uint8.encode(state, HANGUP_REASONS.indexOf(frame.reason))
      return
    case 'ringing':
      return
  }
}

/** Throws MediaWireError for a frame the receiver would refuse. */
export function encodeCallFrame(frame: CallFrame): Buffer {
  check(frame)
  const out = Buffer.alloc(MAX_CALL_FRAME_BYTES)
  const state = c.state(0, out.byteLength, out)
  writeBody(state, frame)
  return Buffer.from(out.subarray(0, state.start))
}

/** Throws MediaWireError with the reason when the bytes are not exactly one valid call frame. */
export function decodeCallFrame(bytes: Uint8Array): CallFrame {
  if (bytes.byteLength > MAX_CALL_FRAME_BYTES) throw new MediaWireError(`call frame of ${bytes.byteLength} bytes`)
  return decodeAll<CallFrame>(bytes, (state) => {
    const version = c.uint8.decode(state)
    if (version !== CALL_FRAME_VERSION) throw new MediaWireError(`call frame version ${version}`)
    const type = readEnum(state, TYPES, 'call frame type')
    const callId = Buffer.from(c.fixed(CALL_ID_BYTES).decode(state))
    switch (type) {
      case 'offer':
      case 'accept': {
        const video = readFlag(state, 'video')
        const ephemeral = Buffer.from(c.fixed32.decode(state))
        if (type === 'accept') return { type, callId, video, ephemeral }
        return { type, callId, video, ephemeral, sessionId: Buffer.from(c.fixed(SESSION_ID_BYTES).decode(state)) }
      }
      case 'decline':
        return { type, callId, reason: readEnum(state, DECLINE_REASONS, 'decline reason') }
      case 'hangup':
        return { type, callId, reason: readEnum(state, HANGUP_REASONS, 'hangup reason') }
      case 'ringing':
        return { type, callId }
    }
  })
}

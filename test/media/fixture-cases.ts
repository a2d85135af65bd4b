// The inputs behind test/fixtures/media/*.json: fixed keys and ids, so every encoding is deterministic.
import { x25519PublicKey } from '../../core/crypto'
import type { CallFrame } from '../../core/media/call-frames'
import type { MediaPacket } from '../../core/media/media-packet'

const bytes = (n: number, fill: number): Buffer => Buffer.alloc(n, fill)

export const CALL_ID = Buffer.from('00112233445566778899aabbccddeeff', 'hex')
export const EPHEMERAL = bytes(32, 0xe1)

export const CALL_FRAMES: Record<string, CallFrame> = {
  offer: { type: 'offer', callId: CALL_ID, video: true, ephemeral: EPHEMERAL, sessionId: Buffer.alloc(16, 0x5e) },
  ringing: { type: 'ringing', callId: CALL_ID },
  accept: { type: 'accept', callId: CALL_ID, video: false, ephemeral: EPHEMERAL },
  declineBusy: { type: 'decline', callId: CALL_ID, reason: 'busy' },
  hangupTimeout: { type: 'hangup', callId: CALL_ID, reason: 'timeout' }
}

export const MEDIA_KEY = bytes(32, 0x42)
export const MEDIA_TAG = 0xa1b2c3d4

/** Sealed in this order from counter 0. */
export const MEDIA_PACKETS: MediaPacket[] = [
  { kind: 'media', stream: 'audio', keyframe: true, seq: 7, timestampUs: 140_000, fragment: 0, fragments: 1, data: Buffer.from('opus-frame') },
  { kind: 'media', stream: 'video', keyframe: false, seq: 300, timestampUs: 10_000_000, fragment: 2, fragments: 3, data: bytes(20, 0x56) },
  { kind: 'probe', sentAtUs: 123_456 },
  { kind: 'report', received: 49, lost: 1, jitterUs: 2500, echoUs: 123_456, heldUs: 800 },
  { kind: 'keyframe', stream: 'video' },
  { kind: 'nack', stream: 'video', seq: 301, fragments: [0, 4, 254] }
]

export const CALLER_EPHEMERAL_SECRET = bytes(32, 0x11)
export const CALLEE_EPHEMERAL_SECRET = bytes(32, 0x22)
export const KEY_INPUT = {
  callId: CALL_ID,
  sessionId: bytes(16, 0x5e),
  callerIdentity: bytes(32, 0xaa),
  calleeIdentity: bytes(32, 0xbb),
  callerEphemeral: x25519PublicKey(CALLER_EPHEMERAL_SECRET),
  calleeEphemeral: x25519PublicKey(CALLEE_EPHEMERAL_SECRET)
}

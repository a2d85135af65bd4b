// The per-call keys. Each side puts a fresh X25519 key in its call frame (the offer, the accept);
// the call secret is HKDF-SHA256(ikm = DH(caller ephemeral, callee ephemeral),
// salt = the ratchet session's id, info = label ‖ call id ‖ caller identity ‖ callee identity ‖
// caller ephemeral ‖ callee ephemeral). From it: one media key per direction (so two senders never
// share a nonce space), a 4-byte tag that names the call in every datagram (routing only; the AEAD
// authenticates), and the short authentication string both screens show.
//
// Why this and not a key exported from the ratchet's chains: the two ratchet states only agree after
// every envelope in flight has been read, and a call must start while messages are still moving.
// The session id binds the call to the pair's session (a call key cannot be computed from another
// session), the fresh DH gives every call its own key (media from one call fails to open in any
// other, even one between the same two people) and forward secrecy once the ephemerals are wiped.
// The frames carrying the ephemerals travel on the Noise connection, authenticated to both
// identities; the words let two people confirm by voice that nothing sits in between.
import { hkdf, memzero, x25519, x25519KeyPair, type X25519KeyPair } from '../crypto'
import { sasWords } from './sas-words'

export const CALL_ID_BYTES = 16
export const SESSION_ID_BYTES = 16
export const EPHEMERAL_BYTES = 32
export const MEDIA_KEY_BYTES = 32

const INFO_LABEL = Buffer.from('cairn/call/v1')

export interface CallKeyInput {
  callId: Uint8Array
  sessionId: Uint8Array
  callerIdentity: Uint8Array
  calleeIdentity: Uint8Array
  callerEphemeral: Uint8Array
  calleeEphemeral: Uint8Array
}

export interface CallKeys {
  /** Seals media going from the caller to the callee. */
  callerToCallee: Buffer
  calleeToCaller: Buffer
  /** Names the call in every datagram, so one lookup drops datagrams of no call before any decryption. */
  tag: number
  /** Four words, the same on both screens when both sides computed the same secret. */
  sas: string[]
}

export class CallKeyError extends Error {
  constructor(reason: string) {
    super(reason)
    this.name = 'CallKeyError'
  }
}

export function callEphemeral(): X25519KeyPair {
  return x25519KeyPair()
}

function check(bytes: Uint8Array, length: number, what: string): void {
  if (!(bytes instanceof Uint8Array) || bytes.byteLength !== length) {
    throw new CallKeyError(`${what} must be ${length} bytes`)
  }
}

/** Both sides call this with the same input (each brings its own ephemeral secret); throws CallKeyError on a bad key. */
export function deriveCallKeys(input: CallKeyInput, ownEphemeralSecret: Uint8Array, remoteEphemeral: Uint8Array): CallKeys {
  check(input.callId, CALL_ID_BYTES, 'call id')
  check(input.sessionId, SESSION_ID_BYTES, 'session id')
  check(input.callerEphemeral, EPHEMERAL_BYTES, 'caller ephemeral')
  check(input.calleeEphemeral, EPHEMERAL_BYTES, 'callee ephemeral')
  check(input.callerIdentity, 32, 'caller identity')
  check(input.calleeIdentity, 32, 'callee identity')
  const dh = x25519(ownEphemeralSecret, remoteEphemeral)
  if (dh === null) throw new CallKeyError('the remote ephemeral key is a low-order point')
  const info = Buffer.concat([
    INFO_LABEL,
    input.callId,
    input.callerIdentity,
    input.calleeIdentity,
    input.callerEphemeral,
    input.calleeEphemeral
  ])
  const okm = hkdf(dh, input.sessionId, info, 2 * MEDIA_KEY_BYTES + 4 + 4)
  memzero(dh)
  const keys: CallKeys = {
    callerToCallee: Buffer.from(okm.subarray(0, 32)),
    calleeToCaller: Buffer.from(okm.subarray(32, 64)),
    tag: okm.readUInt32LE(64),
    sas: sasWords(okm.subarray(68, 72))
  }
  memzero(okm)
  return keys
}

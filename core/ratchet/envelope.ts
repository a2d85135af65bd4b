// Envelope wire format, version 1 (every integer little-endian, every field fixed-size):
//
//   version (1) = 1 | kind (1): 0 message, 1 initial, 2 initial with a one-time prekey | session id (16)
//   initial only:  initiator's ephemeral X25519 key (32) | prekey id u32 (0: the responder's identity key)
//                  [kind 2: one-time prekey id u32]
//   ratchet key (32) | previous chain length u32 | message number u32 | nonce (24)
//   ciphertext: XChaCha20-Poly1305, at least the 16-byte tag
//
// The whole envelope before the ciphertext is the header; the AD is sender identity ‖ receiver
// identity ‖ header. Size is capped so a hostile peer cannot make us allocate or authenticate megabytes.
import * as c from 'compact-encoding'
import { AEAD_NONCE_BYTES, AEAD_TAG_BYTES } from '../crypto'
import { DecodeError, decodeExact } from '../protocol/decode'
import { MAX_ENVELOPE_BYTES } from '../protocol/limits'
import { ratchetDecode } from './errors'

export const ENVELOPE_VERSION = 1
export { MAX_ENVELOPE_BYTES }
export const SESSION_ID_BYTES = 16
const KIND_MESSAGE = 0
const KIND_INITIAL = 1
const KIND_INITIAL_ONE_TIME = 2
const PREFIX_BYTES = 2 + SESSION_ID_BYTES
const INITIAL_BYTES = 32 + 4
const ONE_TIME_BYTES = 4
const RATCHET_BYTES = 32 + 4 + 4 + AEAD_NONCE_BYTES

export interface InitialHeader {
  ephemeral: Buffer
  prekeyId: number
  /** The responder's one-time prekey the start used; absent when the supply was empty. */
  oneTimeId?: number
}

export interface Envelope {
  sessionId: Buffer
  initial: InitialHeader | null
  dh: Buffer
  pn: number
  n: number
  nonce: Buffer
  /** Everything before the ciphertext, authenticated as associated data. */
  header: Buffer
  ciphertext: Buffer
}

const fixed16 = c.fixed(SESSION_ID_BYTES)
const fixed24 = c.fixed(AEAD_NONCE_BYTES)

/** The header's size: of a message (null), of an initial envelope, or the largest (true). */
export function headerLength(initial: InitialHeader | null | true): number {
  if (initial === null) return PREFIX_BYTES + RATCHET_BYTES
  const oneTime = initial === true || initial.oneTimeId !== undefined
  return PREFIX_BYTES + INITIAL_BYTES + (oneTime ? ONE_TIME_BYTES : 0) + RATCHET_BYTES
}

function kindOf(initial: InitialHeader | null): number {
  if (initial === null) return KIND_MESSAGE
  return initial.oneTimeId === undefined ? KIND_INITIAL : KIND_INITIAL_ONE_TIME
}

/** Writes the header at `state.start` of `state.buffer`; the caller sizes the buffer and writes the ciphertext after it. */
export function writeHeader(
  state: c.State,
  sessionId: Uint8Array,
  initial: InitialHeader | null,
  dh: Uint8Array,
  pn: number,
  n: number,
  nonce: Uint8Array
): void {
  c.uint8.encode(state, ENVELOPE_VERSION)
  c.uint8.encode(state, kindOf(initial))
  fixed16.encode(state, sessionId)
  if (initial) {
    c.fixed32.encode(state, initial.ephemeral)
    c.uint32.encode(state, initial.prekeyId)
    if (initial.oneTimeId !== undefined) c.uint32.encode(state, initial.oneTimeId)
  }
  c.fixed32.encode(state, dh)
  c.uint32.encode(state, pn)
  c.uint32.encode(state, n)
  fixed24.encode(state, nonce)
}

function malformed(what: string): DecodeError {
  return new DecodeError(`malformed envelope: ${what}`)
}

function toBuffer(bytes: Uint8Array): Buffer {
  if (!(bytes instanceof Uint8Array)) throw malformed('not a byte array')
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/** A validated parse: lengths, version, kind. Keys are checked cryptographically when used. */
export function decodeEnvelope(bytes: Uint8Array): Envelope {
  return ratchetDecode(() => readEnvelope(bytes))
}

function readEnvelope(bytes: Uint8Array): Envelope {
  const buf = toBuffer(bytes)
  if (buf.byteLength > MAX_ENVELOPE_BYTES) throw malformed(`${buf.byteLength} bytes, at most ${MAX_ENVELOPE_BYTES}`)
  if (buf.byteLength < 2) throw malformed(`truncated at ${buf.byteLength} bytes`)
  if (buf[0] !== ENVELOPE_VERSION) {
    throw new DecodeError(`envelope version ${buf[0]}, this build reads ${ENVELOPE_VERSION}`, 'unsupported-version')
  }
  const kind = buf[1]
  if (kind !== KIND_MESSAGE && kind !== KIND_INITIAL && kind !== KIND_INITIAL_ONE_TIME) throw malformed(`unknown kind ${kind}`)
  const headerBytes = PREFIX_BYTES + RATCHET_BYTES + (kind === KIND_MESSAGE ? 0 : INITIAL_BYTES) + (kind === KIND_INITIAL_ONE_TIME ? ONE_TIME_BYTES : 0)
  if (buf.byteLength < headerBytes + AEAD_TAG_BYTES) {
    throw malformed(`truncated: ${buf.byteLength} bytes, at least ${headerBytes + AEAD_TAG_BYTES} expected`)
  }
  const header = decodeExact(c.state(2, headerBytes, buf), (state) => readHeader(state, kind), {
    truncated: `malformed envelope: truncated header of ${headerBytes} bytes`,
    trailing: (count) => `malformed envelope: ${count} bytes left in the header`
  })
  return { ...header, header: buf.subarray(0, headerBytes), ciphertext: buf.subarray(headerBytes) }
}

function readHeader(state: c.State, kind: number): Omit<Envelope, 'header' | 'ciphertext'> {
  const sessionId = fixed16.decode(state) as Buffer
  let init: InitialHeader | null = null
  if (kind !== KIND_MESSAGE) {
    init = { ephemeral: c.fixed32.decode(state) as Buffer, prekeyId: c.uint32.decode(state) }
    if (kind === KIND_INITIAL_ONE_TIME) init.oneTimeId = c.uint32.decode(state)
  }
  return {
    sessionId,
    initial: init,
    dh: c.fixed32.decode(state) as Buffer,
    pn: c.uint32.decode(state),
    n: c.uint32.decode(state),
    nonce: fixed24.decode(state) as Buffer
  }
}

/** The session an envelope belongs to and whether it starts one, without decrypting it. */
export function inspectEnvelope(bytes: Uint8Array): { sessionId: Buffer; initial: boolean } {
  const env = decodeEnvelope(bytes)
  return { sessionId: Buffer.from(env.sessionId), initial: env.initial !== null }
}

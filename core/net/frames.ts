// The control protocol's frames and their codecs. Every frame starts with a version byte and a type
// byte; every field is validated on decode (lengths, ranges, UTF-8, caps) and the whole buffer must be
// consumed, so a peer cannot smuggle trailing bytes or crash the decoder.
import c from 'compact-encoding'
import { CairnError } from '../api/errors'
import { CONTROL_PROTOCOL, INBOX_PROTOCOL } from '../protocol/caps'
import { DecodeError as FrameError, decodeExact } from '../protocol/decode'
import { MAX_BUNDLE_BYTES, MAX_FRAME_BYTES, MAX_NAME_CHARS } from '../protocol/limits'

export { CONTROL_PROTOCOL, INBOX_PROTOCOL }
export const FRAME_VERSION = 1

export { MAX_BUNDLE_BYTES, MAX_FRAME_BYTES, MAX_NAME_CHARS }
export const KEY_BYTES = 32

export type ReceiptKind = 'delivered' | 'read'

export type ControlFrame =
  | { type: 'hello'; name: string; logKey: Buffer; bundle: Buffer | null }
  | { type: 'receipt'; kind: ReceiptKind; upTo: number }
  | { type: 'typing'; typing: boolean }
  | { type: 'prekeys'; bundle: Buffer }
  /** A call control frame (core/media/call-frames.ts), carried as its own bytes. */
  | { type: 'call'; frame: Buffer }
  /** The sender's home node: the box key its contact may fetch the sender's log from (core/home). */
  | { type: 'home'; box: Buffer }

export interface RequestFrame {
  name: string
  bundle: Buffer | null
}

/** A frame a peer sent that does not follow the protocol: the protocol's DecodeError, under the name the network uses. */
export { FrameError }

/**
 * A well-formed control frame of a kind this version does not know. A newer peer sends such frames
 * (a call, a group invite), so the link skips them rather than treating the peer as broken.
 */
export class UnknownFrameType extends FrameError {
  constructor() {
    super('unknown frame type')
  }
}

const CONTROL_TYPES = ['hello', 'receipt', 'typing', 'prekeys', 'call', 'home'] as const
/** Call frames are a few dozen bytes; core/media checks them exactly. */
export const MAX_CALL_BYTES = 128
const RECEIPT_KINDS: readonly ReceiptKind[] = ['delivered', 'read']
const REQUEST_TYPE = 0
const ACK_TYPE = 1

type State = ReturnType<typeof c.state>
const utf8 = new TextDecoder('utf-8', { fatal: true })

function checkName(name: string, fail: (reason: string) => Error): void {
  if (typeof name !== 'string') throw fail('name is not a string')
  if ([...name].length > MAX_NAME_CHARS) throw fail(`name is longer than ${MAX_NAME_CHARS} characters`)
  if (/\p{Cc}/u.test(name)) throw fail('name contains control characters')
}

function checkBytes(value: unknown, what: string, max: number, fail: (reason: string) => Error, exact = false): void {
  if (!(value instanceof Uint8Array)) throw fail(`${what} is not bytes`)
  if (exact ? value.byteLength !== max : value.byteLength > max) {
    throw fail(`${what} is ${value.byteLength} bytes, ${exact ? 'expected' : 'at most'} ${max}`)
  }
}

const invalidArgument = (reason: string): Error => new CairnError('invalid-argument', `control frame: ${reason}`)
const malformed = (reason: string): Error => new FrameError(reason)

function validateControl(frame: ControlFrame, fail: (reason: string) => Error): void {
  switch (frame.type) {
    case 'hello':
      checkName(frame.name, fail)
      checkBytes(frame.logKey, 'logKey', KEY_BYTES, fail, true)
      if (frame.bundle !== null) checkBytes(frame.bundle, 'bundle', MAX_BUNDLE_BYTES, fail)
      return
    case 'receipt':
      if (!RECEIPT_KINDS.includes(frame.kind)) throw fail('unknown receipt kind')
      if (!Number.isSafeInteger(frame.upTo) || frame.upTo < 0) throw fail('receipt index out of range')
      return
    case 'typing':
      if (typeof frame.typing !== 'boolean') throw fail('typing is not a boolean')
      return
    case 'prekeys':
      checkBytes(frame.bundle, 'bundle', MAX_BUNDLE_BYTES, fail)
      return
    case 'call':
      checkBytes(frame.frame, 'call frame', MAX_CALL_BYTES, fail)
      return
    case 'home':
      checkBytes(frame.box, 'box', KEY_BYTES, fail, true)
      return
    default:
      throw fail('unknown frame type')
  }
}

function writeString(state: State, text: string): void {
  c.buffer.encode(state, Buffer.from(text, 'utf8'))
}

function sizeString(state: State, text: string): void {
  c.buffer.preencode(state, Buffer.from(text, 'utf8'))
}

function readString(state: State, maxBytes: number): string {
  const bytes = readBytes(state, maxBytes, 'name')
  try {
    return utf8.decode(bytes)
  } catch {
    throw new FrameError('name is not valid UTF-8')
  }
}

function readBytes(state: State, max: number, what: string): Buffer {
  const bytes = c.buffer.decode(state)
  if (bytes.byteLength > max) throw new FrameError(`${what} is ${bytes.byteLength} bytes, at most ${max}`)
  return Buffer.from(bytes)
}

function readOptionalBytes(state: State, max: number, what: string): Buffer | null {
  const present = c.uint8.decode(state)
  if (present === 0) return null
  if (present !== 1) throw new FrameError(`${what} presence flag is ${present}`)
  return readBytes(state, max, what)
}

function sizeOptionalBytes(state: State, bytes: Uint8Array | null): void {
  c.uint8.preencode(state, 0)
  if (bytes !== null) c.buffer.preencode(state, bytes)
}

function writeOptionalBytes(state: State, bytes: Uint8Array | null): void {
  c.uint8.encode(state, bytes === null ? 0 : 1)
  if (bytes !== null) c.buffer.encode(state, bytes)
}

function preencodeControl(state: State, frame: ControlFrame): void {
  state.end += 2
  switch (frame.type) {
    case 'hello':
      sizeString(state, frame.name)
      state.end += KEY_BYTES
      sizeOptionalBytes(state, frame.bundle)
      return
    case 'receipt':
      c.uint8.preencode(state, 0)
      c.uint.preencode(state, frame.upTo)
      return
    case 'typing':
      c.bool.preencode(state, frame.typing)
      return
    case 'prekeys':
      c.buffer.preencode(state, frame.bundle)
      return
    case 'call':
      c.buffer.preencode(state, frame.frame)
      return
    case 'home':
      state.end += KEY_BYTES
  }
}

function encodeControlBody(state: State, frame: ControlFrame): void {
  c.uint8.encode(state, FRAME_VERSION)
  c.uint8.encode(state, CONTROL_TYPES.indexOf(frame.type))
  switch (frame.type) {
    case 'hello':
      writeString(state, frame.name)
      c.fixed32.encode(state, frame.logKey)
      writeOptionalBytes(state, frame.bundle)
      return
    case 'receipt':
      c.uint8.encode(state, RECEIPT_KINDS.indexOf(frame.kind))
      c.uint.encode(state, frame.upTo)
      return
    case 'typing':
      c.bool.encode(state, frame.typing)
      return
    case 'prekeys':
      c.buffer.encode(state, frame.bundle)
      return
    case 'call':
      c.buffer.encode(state, frame.frame)
      return
    case 'home':
      c.fixed32.encode(state, frame.box)
  }
}

/** Throws CairnError('invalid-argument') when the frame breaks a rule the receiver would enforce. */
export function encodeControlFrame(frame: ControlFrame): Buffer {
  validateControl(frame, invalidArgument)
  const state = c.state()
  preencodeControl(state, frame)
  state.buffer = Buffer.alloc(state.end)
  encodeControlBody(state, frame)
  return state.buffer as Buffer
}

function readHeader(bytes: Uint8Array): State {
  if (!(bytes instanceof Uint8Array)) throw new FrameError('frame is not bytes')
  if (bytes.byteLength > MAX_FRAME_BYTES) {
    throw new FrameError(`frame is ${bytes.byteLength} bytes, at most ${MAX_FRAME_BYTES}`)
  }
  if (bytes.byteLength < 2) throw new FrameError('frame is truncated')
  const state = c.state(0, bytes.byteLength, bytes)
  const version = c.uint8.decode(state)
  if (version !== FRAME_VERSION) throw new FrameError(`unsupported frame version ${version}`, 'unsupported-version')
  return state
}

function decodeStrict<T>(bytes: Uint8Array, body: (state: State) => T): T {
  return decodeExact(readHeader(bytes), body, {
    truncated: 'frame is truncated',
    trailing: (count) => `${count} trailing bytes after the frame`
  })
}

/** Throws FrameError with the reason when the bytes are not one valid control frame. */
export function decodeControlFrame(bytes: Uint8Array): ControlFrame {
  const frame = decodeStrict<ControlFrame>(bytes, (state) => {
    const type = CONTROL_TYPES[c.uint8.decode(state)]
    switch (type) {
      case 'hello': {
        const name = readString(state, MAX_NAME_CHARS * 4)
        const logKey = Buffer.from(c.fixed32.decode(state))
        const bundle = readOptionalBytes(state, MAX_BUNDLE_BYTES, 'bundle')
        return { type, name, logKey, bundle }
      }
      case 'receipt': {
        const kind = RECEIPT_KINDS[c.uint8.decode(state)]
        if (kind === undefined) throw new FrameError('unknown receipt kind')
        return { type, kind, upTo: c.uint.decode(state) }
      }
      case 'typing': {
        const flag = c.uint8.decode(state)
        if (flag > 1) throw new FrameError(`typing flag is ${flag}`)
        return { type, typing: flag === 1 }
      }
      case 'prekeys':
        return { type, bundle: readBytes(state, MAX_BUNDLE_BYTES, 'bundle') }
      case 'call':
        return { type, frame: readBytes(state, MAX_CALL_BYTES, 'call frame') }
      case 'home':
        return { type, box: Buffer.from(c.fixed32.decode(state)) }
      default:
        throw new UnknownFrameType()
    }
  })
  validateControl(frame, malformed)
  return frame
}

function validateRequest(frame: RequestFrame, fail: (reason: string) => Error): void {
  if (typeof frame !== 'object' || frame === null) throw fail('request is not an object')
  checkName(frame.name, fail)
  if (frame.bundle !== null) checkBytes(frame.bundle, 'bundle', MAX_BUNDLE_BYTES, fail)
}

/** Throws CairnError('invalid-argument') for a request the receiver would refuse. */
export function encodeRequestFrame(frame: RequestFrame): Buffer {
  validateRequest(frame, (reason) => new CairnError('invalid-argument', `contact request: ${reason}`))
  const state = c.state()
  state.end += 2
  sizeString(state, frame.name)
  sizeOptionalBytes(state, frame.bundle)
  state.buffer = Buffer.alloc(state.end)
  c.uint8.encode(state, FRAME_VERSION)
  c.uint8.encode(state, REQUEST_TYPE)
  writeString(state, frame.name)
  writeOptionalBytes(state, frame.bundle)
  return state.buffer as Buffer
}

/** Throws FrameError with the reason when the bytes are not one valid contact request. */
export function decodeRequestFrame(bytes: Uint8Array): RequestFrame {
  const frame = decodeStrict<RequestFrame>(bytes, (state) => {
    const type = c.uint8.decode(state)
    if (type !== REQUEST_TYPE) throw new FrameError(`expected a request, got frame type ${type}`)
    const name = readString(state, MAX_NAME_CHARS * 4)
    return { name, bundle: readOptionalBytes(state, MAX_BUNDLE_BYTES, 'bundle') }
  })
  validateRequest(frame, malformed)
  return frame
}

export const ACK_FRAME: Buffer = Buffer.from([FRAME_VERSION, ACK_TYPE])

/** Throws FrameError unless the bytes are exactly the acknowledgement of a request. */
export function decodeAckFrame(bytes: Uint8Array): void {
  decodeStrict(bytes, (state) => {
    const type = c.uint8.decode(state)
    if (type !== ACK_TYPE) throw new FrameError(`expected an ack, got frame type ${type}`)
  })
}

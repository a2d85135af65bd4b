// The home node's one protocol, `cairn/home` on Protomux over the Noise stream: numbered requests
// and the reply to each. Who may ask what is decided by the box from the stream's authenticated
// remote key (see ./roles.ts), never from anything inside a frame.
//
// Frame: version (1) | kind (0 request, 1 reply) | id | op tag | fields. Every length is capped on
// decode and the whole frame must be consumed.
import { HOME_PROTOCOL } from '../protocol/caps'
import { HomeError, isHomeErrorCode, type HomeErrorCode } from './errors'
import { Reader, Writer } from './codec'

export { HOME_PROTOCOL }
export const WIRE_VERSION = 1
export const MAX_WIRE_BYTES = 64 * 1024
export const KEY_BYTES = 32
export const PROFILE_ID_BYTES = 16
export const CODE_ID_BYTES = 16
export const MAX_GRANT_LOGS = 64
export const MAX_ONE_TIME_PREKEYS = 100
export const MAX_ONE_TIME_PREKEY_BYTES = 128
export const MAX_BUNDLE_BYTES = 1024
export const MAX_SEALED_BYTES = 2048
export const MAX_REQUESTS_PER_REPLY = 16
const MAX_MESSAGE_BYTES = 512

export type HomeRequest =
  | { op: 'pair'; codeId: Buffer; proof: Buffer }
  | { op: 'keep'; logKey: Buffer }
  | { op: 'drop'; logKey: Buffer }
  | { op: 'grant'; guest: Buffer; logs: Buffer[] }
  | { op: 'ungrant'; guest: Buffer }
  | { op: 'publish'; inbox: Buffer; bundle: Buffer; oneTime: Buffer[] }
  | { op: 'ack'; logKey: Buffer; upTo: number }
  | { op: 'requests'; forgetUpTo: number }
  | { op: 'status' }
  | { op: 'unlink' }
  | { op: 'want'; logKey: Buffer }
  | { op: 'bundle'; inbox: Buffer }
  | { op: 'deposit'; inbox: Buffer; sealed: Buffer }
  | { op: 'supply'; oneTime: Buffer[] }

export type HomeOp = HomeRequest['op']

export interface ProfileStatus {
  /** Bytes of this profile's logs on the box's disk. */
  bytes: number
  quota: number
  logs: number
  requests: number
  expireDays: number
  overQuota: boolean
}

export interface SealedItem {
  seq: number
  sealed: Buffer
}

export type HomeReply =
  | { op: 'paired'; profile: Buffer; quota: number; expireDays: number }
  | ({ op: 'status' } & ProfileStatus)
  | { op: 'requests'; items: SealedItem[] }
  | { op: 'bundle'; bundle: Buffer; oneTime: Buffer | null }
  | { op: 'supplied'; held: number }
  | { op: 'done' }
  | { op: 'error'; code: HomeErrorCode; message: string }

export type HomeFrame = { kind: 'request'; id: number; request: HomeRequest } | { kind: 'reply'; id: number; reply: HomeReply }

const REQUEST_OPS: readonly HomeOp[] = [
  'pair',
  'keep',
  'drop',
  'grant',
  'ungrant',
  'publish',
  'ack',
  'requests',
  'status',
  'unlink',
  'want',
  'bundle',
  'deposit',
  'supply'
]
const REPLY_OPS: readonly HomeReply['op'][] = ['paired', 'status', 'requests', 'bundle', 'done', 'error', 'supplied']

function writeRequest(w: Writer, r: HomeRequest): void {
  w.uint8(REQUEST_OPS.indexOf(r.op))
  switch (r.op) {
    case 'pair':
      w.fixed(r.codeId, CODE_ID_BYTES, 'codeId').fixed(r.proof, KEY_BYTES, 'proof')
      return
    case 'keep':
    case 'drop':
    case 'want':
      w.fixed(r.logKey, KEY_BYTES, 'logKey')
      return
    case 'grant':
      w.fixed(r.guest, KEY_BYTES, 'guest').list(r.logs, MAX_GRANT_LOGS, 'logs', (k) => w.fixed(k, KEY_BYTES, 'log key'))
      return
    case 'ungrant':
      w.fixed(r.guest, KEY_BYTES, 'guest')
      return
    case 'publish':
      w.fixed(r.inbox, KEY_BYTES, 'inbox').bytes(r.bundle, MAX_BUNDLE_BYTES, 'bundle')
      w.list(r.oneTime, MAX_ONE_TIME_PREKEYS, 'oneTime', (p) => w.bytes(p, MAX_ONE_TIME_PREKEY_BYTES, 'one-time prekey'))
      return
    case 'ack':
      w.fixed(r.logKey, KEY_BYTES, 'logKey').uint(r.upTo)
      return
    case 'requests':
      w.uint(r.forgetUpTo)
      return
    case 'bundle':
      w.fixed(r.inbox, KEY_BYTES, 'inbox')
      return
    case 'deposit':
      w.fixed(r.inbox, KEY_BYTES, 'inbox').bytes(r.sealed, MAX_SEALED_BYTES, 'sealed')
      return
    case 'supply':
      w.list(r.oneTime, MAX_ONE_TIME_PREKEYS, 'oneTime', (p) => w.bytes(p, MAX_ONE_TIME_PREKEY_BYTES, 'one-time prekey'))
      return
    case 'status':
    case 'unlink':
      return
  }
}

function readRequest(r: Reader): HomeRequest {
  const op = REQUEST_OPS[r.uint8('op')]
  switch (op) {
    case 'pair':
      return { op, codeId: r.fixed(CODE_ID_BYTES, 'codeId'), proof: r.fixed(KEY_BYTES, 'proof') }
    case 'keep':
    case 'drop':
    case 'want':
      return { op, logKey: r.fixed(KEY_BYTES, 'logKey') }
    case 'grant':
      return { op, guest: r.fixed(KEY_BYTES, 'guest'), logs: r.list(MAX_GRANT_LOGS, 'logs', () => r.fixed(KEY_BYTES, 'log key')) }
    case 'ungrant':
      return { op, guest: r.fixed(KEY_BYTES, 'guest') }
    case 'publish': {
      const inbox = r.fixed(KEY_BYTES, 'inbox')
      const bundle = r.bytes(MAX_BUNDLE_BYTES, 'bundle')
      const oneTime = r.list(MAX_ONE_TIME_PREKEYS, 'oneTime', () => r.bytes(MAX_ONE_TIME_PREKEY_BYTES, 'one-time prekey'))
      return { op, inbox, bundle, oneTime }
    }
    case 'ack':
      return { op, logKey: r.fixed(KEY_BYTES, 'logKey'), upTo: r.uint('upTo') }
    case 'requests':
      return { op, forgetUpTo: r.uint('forgetUpTo') }
    case 'bundle':
      return { op, inbox: r.fixed(KEY_BYTES, 'inbox') }
    case 'deposit':
      return { op, inbox: r.fixed(KEY_BYTES, 'inbox'), sealed: r.bytes(MAX_SEALED_BYTES, 'sealed') }
    case 'supply':
      return { op, oneTime: r.list(MAX_ONE_TIME_PREKEYS, 'oneTime', () => r.bytes(MAX_ONE_TIME_PREKEY_BYTES, 'one-time prekey')) }
    case 'status':
    case 'unlink':
      return { op }
    default:
      throw new HomeError('malformed', 'home frame: unknown request op')
  }
}

function writeReply(w: Writer, r: HomeReply): void {
  w.uint8(REPLY_OPS.indexOf(r.op))
  switch (r.op) {
    case 'paired':
      w.fixed(r.profile, PROFILE_ID_BYTES, 'profile').uint(r.quota).uint(r.expireDays)
      return
    case 'status':
      w.uint(r.bytes).uint(r.quota).uint(r.logs).uint(r.requests).uint(r.expireDays).uint8(r.overQuota ? 1 : 0)
      return
    case 'requests':
      w.list(r.items, MAX_REQUESTS_PER_REPLY, 'items', (i) => w.uint(i.seq).bytes(i.sealed, MAX_SEALED_BYTES, 'sealed'))
      return
    case 'bundle':
      w.bytes(r.bundle, MAX_BUNDLE_BYTES, 'bundle').uint8(r.oneTime === null ? 0 : 1)
      if (r.oneTime !== null) w.bytes(r.oneTime, MAX_ONE_TIME_PREKEY_BYTES, 'one-time prekey')
      return
    case 'error':
      w.string(r.code, 32, 'code').string(r.message, MAX_MESSAGE_BYTES, 'message')
      return
    case 'supplied':
      w.uint(r.held)
      return
    case 'done':
      return
  }
}

function readReply(r: Reader): HomeReply {
  const op = REPLY_OPS[r.uint8('op')]
  switch (op) {
    case 'paired':
      return { op, profile: r.fixed(PROFILE_ID_BYTES, 'profile'), quota: r.uint('quota'), expireDays: r.uint('expireDays') }
    case 'status':
      return {
        op,
        bytes: r.uint('bytes'),
        quota: r.uint('quota'),
        logs: r.uint('logs'),
        requests: r.uint('requests'),
        expireDays: r.uint('expireDays'),
        overQuota: r.bool('overQuota')
      }
    case 'requests':
      return { op, items: r.list(MAX_REQUESTS_PER_REPLY, 'items', () => ({ seq: r.uint('seq'), sealed: r.bytes(MAX_SEALED_BYTES, 'sealed') })) }
    case 'bundle': {
      const bundle = r.bytes(MAX_BUNDLE_BYTES, 'bundle')
      return { op, bundle, oneTime: r.bool('oneTime present') ? r.bytes(MAX_ONE_TIME_PREKEY_BYTES, 'one-time prekey') : null }
    }
    case 'error': {
      const code = r.string(32, 'code')
      const message = r.string(MAX_MESSAGE_BYTES, 'message')
      return { op, code: isHomeErrorCode(code) ? code : 'unavailable', message }
    }
    case 'done':
      return { op }
    case 'supplied':
      return { op, held: r.uint('held') }
    default:
      throw new HomeError('malformed', 'home frame: unknown reply op')
  }
}

/** Throws HomeError('malformed') for a frame the receiver would refuse. */
export function encodeHomeFrame(frame: HomeFrame): Buffer {
  const w = new Writer().uint8(WIRE_VERSION).uint8(frame.kind === 'request' ? 0 : 1).uint(frame.id)
  if (frame.kind === 'request') writeRequest(w, frame.request)
  else writeReply(w, frame.reply)
  const out = w.done()
  if (out.byteLength > MAX_WIRE_BYTES) throw new HomeError('malformed', `home frame is ${out.byteLength} bytes, at most ${MAX_WIRE_BYTES}`)
  return out
}

/** Throws HomeError('malformed') naming the reason when the bytes are not one valid frame. */
export function decodeHomeFrame(bytes: Uint8Array): HomeFrame {
  const r = new Reader(bytes, MAX_WIRE_BYTES, 'home frame')
  const version = r.uint8('version')
  if (version !== WIRE_VERSION) throw new HomeError('malformed', `home frame: unsupported version ${version}`)
  const kind = r.uint8('kind')
  const id = r.uint('id')
  let frame: HomeFrame
  if (kind === 0) frame = { kind: 'request', id, request: readRequest(r) }
  else if (kind === 1) frame = { kind: 'reply', id, reply: readReply(r) }
  else throw new HomeError('malformed', `home frame: unknown kind ${kind}`)
  r.end()
  return frame
}

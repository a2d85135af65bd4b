// The server side of every transport: one request frame in, one response frame out. Nothing thrown
// by the API escapes as an exception, and only CairnErrors cross to the caller; anything else is a
// bug or an environment failure whose details stay in the local log.
import { CairnError } from '../api/errors'
import type { CairnApi, CairnErrorShape, CairnEvent, ErrorCode, WireFrame } from '../api/types'
import { validateArgs, validateCall } from '../api/validate'
import { checksArguments } from './checked'

/** What a shell serves: the API plus its event stream (CairnHost is one). */
export interface ApiHost extends CairnApi {
  on(event: 'event', listener: (e: CairnEvent) => void): unknown
  off(event: 'event', listener: (e: CairnEvent) => void): unknown
}

const ERROR_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'invalid-argument',
  'invalid-contact-id',
  'no-profile',
  'profile-exists',
  'locked',
  'wrong-passphrase',
  'corrupt-profile',
  'profile-busy',
  'not-found',
  'blocked',
  'self',
  'busy',
  'offline',
  'unauthorized',
  'internal'
])

export type Logger = (message: string, err: unknown) => void

const defaultLogger: Logger = (message, err) => console.error(message, err)

/** Maps anything thrown to what may cross the transport. */
export function toErrorShape(err: unknown, log: Logger = defaultLogger, context = 'request'): CairnErrorShape {
  if (err instanceof CairnError && ERROR_CODES.has(err.code)) {
    return { code: err.code, message: err.message }
  }
  log(`cairn: ${context} failed`, err)
  return { code: 'internal', message: 'internal error (details are in the local log)' }
}

function requestId(frame: unknown): number | null {
  if (typeof frame !== 'object' || frame === null) return null
  const id = (frame as { id?: unknown }).id
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : null
}

/**
 * Runs one request frame against the API. Returns null for input that carries no usable request
 * id (nothing can be answered), a response frame otherwise.
 */
export async function dispatch(api: CairnApi, frame: unknown, log: Logger = defaultLogger): Promise<WireFrame | null> {
  const id = requestId(frame)
  if (id === null) return null
  const { kind, method, args } = frame as { kind?: unknown; method?: unknown; args?: unknown }
  try {
    if (kind !== 'request') throw new CairnError('invalid-argument', 'frame is not a request')
    const name = typeof method === 'string' ? method : ''
    const call = checksArguments(api) ? validateCall(name, args) : validateArgs(name, args)
    const fn = api[call.method] as (...a: unknown[]) => Promise<unknown>
    const result = await fn.apply(api, call.args)
    return { kind: 'response', id, ok: true, result }
  } catch (err) {
    return { kind: 'response', id, ok: false, error: toErrorShape(err, log, typeof method === 'string' ? method.slice(0, 64) : 'request') }
  }
}

// The client side of every transport: a CairnApi whose calls become request frames, settled by the
// response frames the transport feeds back through receive(). Runs in the renderer, so no Node.
import { CairnError, isErrorShape } from './errors'
import type { ApiMethod, CairnApi, CairnEvent, WireFrame } from './types'
import { API_METHODS } from './validate'

export interface ApiClient {
  api: CairnApi
  onEvent(cb: (e: CairnEvent) => void): () => void
  receive(frame: WireFrame): void
  /** Rejects every pending call and refuses new ones. */
  close(): void
  /**
   * Calls cb once when the client closes, whether the transport went away or close() was called;
   * on a client already closed, soon after. Returns a function that cancels the call.
   */
  onClose(cb: () => void): () => void
}

type Response = Extract<WireFrame, { kind: 'response' }>

const CLOSED = 'the connection to Cairn is closed'

interface Pending {
  resolve(value: unknown): void
  reject(err: CairnError): void
}

/** The calls sent and not yet answered, each settled by the response frame with its id. */
class PendingCalls {
  private readonly pending = new Map<number, Pending>()
  private nextId = 1

  constructor(private readonly send: (frame: WireFrame) => void) {}

  start(method: ApiMethod, args: unknown[]): Promise<unknown> {
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      try {
        this.send({ kind: 'request', id, method, args: withoutTrailingUndefined(args) })
      } catch (err) {
        this.pending.delete(id)
        reject(new CairnError('internal', `could not reach Cairn: ${err instanceof Error ? err.message : String(err)}`))
      }
    })
  }

  settle(frame: Response): void {
    const waiting = this.pending.get(frame.id)
    if (!waiting) return
    this.pending.delete(frame.id)
    if (frame.ok === true) waiting.resolve(frame.result)
    else if (isErrorShape(frame.error)) waiting.reject(new CairnError(frame.error.code, frame.error.message))
    else waiting.reject(new CairnError('internal', 'malformed response from Cairn'))
  }

  rejectAll(err: CairnError): void {
    for (const waiting of this.pending.values()) waiting.reject(err)
    this.pending.clear()
  }
}

// Trailing undefined arguments are omitted so JSON transports (which turn them into null) and
// structured-clone transports send the same frame.
function withoutTrailingUndefined(args: unknown[]): unknown[] {
  let end = args.length
  while (end > 0 && args[end - 1] === undefined) end--
  return args.slice(0, end)
}

/** Calls every listener of a snapshot of the set; one that throws is logged and the others still run. */
function callEach<A extends unknown[]>(listeners: Iterable<(...args: A) => void>, what: string, ...args: A): void {
  for (const cb of [...listeners]) {
    try {
      cb(...args)
    } catch (err) {
      console.error(`cairn: ${what} failed`, err)
    }
  }
}

export function createApiClient(send: (frame: WireFrame) => void): ApiClient {
  const calls = new PendingCalls(send)
  const listeners = new Set<(e: CairnEvent) => void>()
  const closeListeners = new Set<() => void>()
  let closed = false

  const call = (method: ApiMethod, args: unknown[]): Promise<unknown> =>
    closed ? Promise.reject(new CairnError('internal', CLOSED)) : calls.start(method, args)
  const api = Object.fromEntries(
    API_METHODS.map((method) => [method, (...args: unknown[]) => call(method, args)])
  ) as unknown as CairnApi

  function receive(frame: WireFrame): void {
    if (typeof frame !== 'object' || frame === null) return
    if (frame.kind === 'event') {
      if (typeof frame.event === 'object' && frame.event !== null) callEach(listeners, 'event listener', frame.event)
    } else if (frame.kind === 'response') {
      calls.settle(frame)
    }
  }

  function close(): void {
    if (closed) return
    closed = true
    calls.rejectAll(new CairnError('internal', CLOSED))
    listeners.clear()
    const toCall = [...closeListeners]
    closeListeners.clear()
    callEach(toCall, 'close listener')
  }

  function onClose(cb: () => void): () => void {
    let cancelled = false
    const once = () => {
      if (!cancelled) cb()
    }
    // Registered after the fact (a listener set up just as the transport dropped) still hears of it.
    if (closed) queueMicrotask(once)
    else closeListeners.add(once)
    return () => {
      cancelled = true
      closeListeners.delete(once)
    }
  }

  return {
    api,
    onEvent(cb) {
      listeners.add(cb)
      return () => listeners.delete(cb)
    },
    receive,
    close,
    onClose
  }
}

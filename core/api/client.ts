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

interface Pending {
  resolve(value: unknown): void
  reject(err: CairnError): void
}

export function createApiClient(send: (frame: WireFrame) => void): ApiClient {
  const pending = new Map<number, Pending>()
  const listeners = new Set<(e: CairnEvent) => void>()
  const closeListeners = new Set<() => void>()
  let nextId = 1
  let closed = false

  function call(method: ApiMethod, args: unknown[]): Promise<unknown> {
    if (closed) return Promise.reject(new CairnError('internal', 'the connection to Cairn is closed'))
    // Trailing undefined arguments are omitted so JSON transports (which turn them into null) and
    // structured-clone transports send the same frame.
    let end = args.length
    while (end > 0 && args[end - 1] === undefined) end--
    const id = nextId++
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject })
      try {
        send({ kind: 'request', id, method, args: args.slice(0, end) })
      } catch (err) {
        pending.delete(id)
        reject(new CairnError('internal', `could not reach Cairn: ${err instanceof Error ? err.message : String(err)}`))
      }
    })
  }

  const api = Object.fromEntries(
    API_METHODS.map((method) => [method, (...args: unknown[]) => call(method, args)])
  ) as unknown as CairnApi

  function receive(frame: WireFrame): void {
    if (typeof frame !== 'object' || frame === null) return
    if (frame.kind === 'event') {
      if (typeof frame.event !== 'object' || frame.event === null) return
      for (const cb of [...listeners]) {
        try {
          cb(frame.event)
        } catch (err) {
          console.error('cairn: event listener failed', err)
        }
      }
      return
    }
    if (frame.kind !== 'response') return
    const waiting = pending.get(frame.id)
    if (!waiting) return
    pending.delete(frame.id)
    if (frame.ok === true) waiting.resolve(frame.result)
    else if (isErrorShape(frame.error)) waiting.reject(new CairnError(frame.error.code, frame.error.message))
    else waiting.reject(new CairnError('internal', 'malformed response from Cairn'))
  }

  function close(): void {
    if (closed) return
    closed = true
    const err = new CairnError('internal', 'the connection to Cairn is closed')
    for (const waiting of pending.values()) waiting.reject(err)
    pending.clear()
    listeners.clear()
    const toCall = [...closeListeners]
    closeListeners.clear()
    for (const cb of toCall) {
      try {
        cb()
      } catch (failure) {
        console.error('cairn: close listener failed', failure)
      }
    }
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

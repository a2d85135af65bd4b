import type { ApiClient } from '../../../core/api/client'
import { CairnError } from '../../../core/api/errors'
import type { CairnApi, CairnEvent } from '../../../core/api/types'
import { API_METHODS } from '../../../core/api/validate'
import { errorCode, errorText } from './errors'

/**
 * connecting: the first attempt; failed: it did not work (error says why); connected;
 * reconnecting: the transport went away and is being re-established; refused: the shell no longer
 * accepts this page; unreachable: retrying stopped (retryNow() starts again).
 */
export type LinkStatus = 'connecting' | 'failed' | 'connected' | 'reconnecting' | 'refused' | 'unreachable'

/** Reconnection waits double from the first to the cap; after this many attempts it waits to be asked. */
export const RETRY_FIRST_MS = 250
export const RETRY_MAX_MS = 5_000
export const RETRY_ATTEMPTS = 40
/**
 * How long one attempt may take to get a transport. A shell process that is stopped but still holds
 * its port accepts the socket and never answers: unbounded, that attempt would hang for good, and
 * "Reconnect now" would wait behind it.
 */
export const ATTEMPT_TIMEOUT_MS = 15_000

export interface LinkHandlers {
  /** Every event, from whichever transport is current. */
  event(e: CairnEvent): void
  /**
   * After the first connection and after each reconnection, before the status turns 'connected':
   * re-read what the screen shows (events were missed while away). A rejection on a reconnection
   * drops that transport and retries.
   */
  connected(reconnected: boolean): Promise<void>
}

/**
 * The renderer's link to the core across transports that may go away (the web shell closing or
 * restarting): one stable CairnApi for the components, and reconnection with bounded backoff.
 * Electron's bridge never closes, so there this only ever connects once.
 */
export class Connection {
  status = $state<LinkStatus>('connecting')
  /** Why connecting failed, was refused or stopped. */
  error = $state<string | null>(null)
  /** Calls go to the current transport; with none, they fail as a closed client's do. */
  readonly api: CairnApi
  #client: ApiClient | null = null
  #detach = () => {}
  #timer: ReturnType<typeof setTimeout> | undefined
  #attempts = 0
  #attempting = false
  #everConnected = false
  #disposed = false

  constructor(
    /** Gets a transport; once the signal aborts, the attempt was given up and should close what it opened. */
    private readonly connect: (signal: AbortSignal) => Promise<ApiClient>,
    private readonly handlers: LinkHandlers,
    private readonly attemptTimeoutMs = ATTEMPT_TIMEOUT_MS
  ) {
    this.api = Object.fromEntries(
      API_METHODS.map((method) => [
        method,
        (...args: unknown[]) => {
          const client = this.#client
          if (!client) return Promise.reject(new CairnError('internal', 'the connection to Cairn is closed'))
          return (client.api[method] as (...a: unknown[]) => Promise<unknown>)(...args)
        }
      ])
    ) as unknown as CairnApi
  }

  start(): void {
    void this.#attempt()
  }

  /** Skips the wait (or restarts after giving up). */
  retryNow(): void {
    if (this.#disposed || this.#attempting) return
    if (this.status !== 'reconnecting' && this.status !== 'unreachable') return
    clearTimeout(this.#timer)
    this.#attempts = 0
    this.status = 'reconnecting'
    this.error = null
    void this.#attempt()
  }

  dispose(): void {
    this.#disposed = true
    clearTimeout(this.#timer)
    this.#detach()
    this.#client?.close()
    this.#client = null
  }

  async #attempt(): Promise<void> {
    this.#attempting = true
    try {
      await this.#connectOnce()
    } finally {
      this.#attempting = false
    }
  }

  async #connectOnce(): Promise<void> {
    let client: ApiClient
    try {
      client = await this.#bounded()
    } catch (err) {
      if (this.#disposed) return
      if (!this.#everConnected) this.#fail('failed', err)
      else if (errorCode(err) === 'unauthorized') this.#fail('refused', err)
      else this.#schedule()
      return
    }
    if (this.#disposed) {
      client.close()
      return
    }
    this.#client = client
    const offEvent = client.onEvent((e) => this.handlers.event(e))
    const offClose = client.onClose(() => this.#lost(client))
    this.#detach = () => {
      offEvent()
      offClose()
    }
    const reconnected = this.#everConnected
    this.#everConnected = true
    try {
      await this.handlers.connected(reconnected)
    } catch (err) {
      if (this.#client !== client) return
      if (!reconnected) this.#fail('failed', err)
      else client.close()
      return
    }
    if (this.#client !== client) return
    this.#attempts = 0
    this.error = null
    this.status = 'connected'
  }

  /**
   * The attempt's transport, or a rejection once it took too long: the attempt is then aborted (its
   * socket closed), and a transport that comes anyway is closed.
   */
  #bounded(): Promise<ApiClient> {
    const abort = new AbortController()
    const attempt = this.connect(abort.signal)
    let timer: ReturnType<typeof setTimeout> | undefined
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abort.abort()
        attempt.then((client) => client.close(), () => {})
        reject(new CairnError('internal', `Cairn did not answer within ${this.attemptTimeoutMs / 1000} s`))
      }, this.attemptTimeoutMs)
    })
    return Promise.race([attempt, late]).finally(() => clearTimeout(timer))
  }

  #lost(client: ApiClient): void {
    if (this.#disposed || this.#client !== client) return
    this.#detach()
    this.#detach = () => {}
    this.#client = null
    this.status = 'reconnecting'
    this.#schedule()
  }

  #schedule(): void {
    if (this.#attempts >= RETRY_ATTEMPTS) {
      this.status = 'unreachable'
      this.error = 'Cairn is not reachable. Is it still running?'
      return
    }
    const wait = Math.min(RETRY_FIRST_MS * 2 ** this.#attempts, RETRY_MAX_MS)
    this.#attempts++
    this.#timer = setTimeout(() => void this.#attempt(), wait)
  }

  #fail(status: 'failed' | 'refused', err: unknown): void {
    this.status = status
    this.error = errorText(err)
  }
}

// The downloads under way for one blob store: one at a time per file (a second request joins the
// first), each cancellable, reporting progress with a speed and a time left at a bounded rate.
import type { FileDescriptor } from './descriptor'
import { BlobError, type BlobErrorCode } from './errors'
import type { BlobStore, ReceiveLimits } from './store'

export type TransferState = 'downloading' | 'complete' | 'failed' | 'cancelled'

export interface TransferUpdate {
  /** The file id, hex. */
  file: string
  state: TransferState
  bytes: number
  size: number
  bytesPerSecond: number
  secondsLeft: number | null
  error?: { code: BlobErrorCode | 'error'; message: string }
}

/** Which files arrive without being asked for: small enough, and of a kind shown inline. */
export interface AutoDownloadPolicy {
  maxBytes: number
  /** Media type prefixes, e.g. "image/". */
  mediaTypes: string[]
}

export const DEFAULT_AUTO_DOWNLOAD: AutoDownloadPolicy = { maxBytes: 8 * 1024 * 1024, mediaTypes: ['image/', 'audio/'] }

export function wantsAutoDownload(d: FileDescriptor, policy: AutoDownloadPolicy): boolean {
  return d.size <= policy.maxBytes && policy.mediaTypes.some((prefix) => d.mediaType.startsWith(prefix))
}

const WINDOW_MS = 3000

/** Bytes per second over the last few seconds. */
export class Meter {
  private readonly samples: { at: number; bytes: number }[] = []

  add(at: number, bytes: number): number {
    this.samples.push({ at, bytes })
    while (this.samples.length > 2 && at - this.samples[0].at > WINDOW_MS) this.samples.shift()
    const first = this.samples[0]
    const span = (at - first.at) / 1000
    return span > 0 ? (bytes - first.bytes) / span : 0
  }
}

interface Active {
  controller: AbortController
  done: Promise<void>
}

export class Transfers {
  private readonly active = new Map<string, Active>()

  constructor(
    private readonly report: (u: TransferUpdate) => void,
    private readonly intervalMs = 250,
    private readonly now: () => number = () => performance.now()
  ) {}

  isActive(d: FileDescriptor): boolean {
    return this.active.has(d.fileId.toString('hex'))
  }

  /** Fetches the file into `store`; resolves when it is complete and verified. */
  fetch(store: BlobStore, d: FileDescriptor, limits: ReceiveLimits): Promise<void> {
    const file = d.fileId.toString('hex')
    const running = this.active.get(file)
    if (running) return running.done
    const controller = new AbortController()
    const done = this.run(store, d, limits, file, controller.signal).finally(() => this.active.delete(file))
    this.active.set(file, { controller, done })
    return done
  }

  cancel(d: FileDescriptor): boolean {
    const running = this.active.get(d.fileId.toString('hex'))
    running?.controller.abort()
    return running !== undefined
  }

  /** Cancels every download and waits for each to stop. */
  async close(): Promise<void> {
    const all = [...this.active.values()]
    for (const a of all) a.controller.abort()
    await Promise.allSettled(all.map((a) => a.done))
  }

  private async run(store: BlobStore, d: FileDescriptor, limits: ReceiveLimits, file: string, signal: AbortSignal): Promise<void> {
    const meter = new Meter()
    let last = -Infinity
    let speed = 0
    const update = (state: TransferState, bytes: number, error?: TransferUpdate['error']): void => {
      const secondsLeft = state === 'downloading' && speed > 0 ? (d.size - bytes) / speed : state === 'complete' ? 0 : null
      this.report({ file, state, bytes, size: d.size, bytesPerSecond: speed, secondsLeft, ...(error ? { error } : {}) })
    }
    update('downloading', 0)
    let bytes = 0
    try {
      await store.fetch(d, limits, {
        signal,
        onProgress: (p) => {
          bytes = p.bytes
          const at = this.now()
          speed = meter.add(at, p.bytes)
          if (at - last < this.intervalMs) return
          last = at
          update('downloading', p.bytes)
        }
      })
    } catch (err) {
      if (err instanceof BlobError && err.code === 'aborted') update('cancelled', bytes)
      else update('failed', bytes, { code: err instanceof BlobError ? err.code : 'error', message: (err as Error).message })
      throw err
    }
    update('complete', d.size)
  }
}

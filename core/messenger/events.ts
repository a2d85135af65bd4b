import type { EventEmitter } from 'node:events'
import type { CairnEvent } from '../api/types'
import { RatchetError } from '../ratchet'

/**
 * Where an open profile's parts report: the events the API delivers, and the failures nobody awaits.
 * Once the profile is closing, both go quiet: they would be the shutdown's doing.
 */
export class EventSink {
  private closing = false

  constructor(private readonly emitter: EventEmitter) {}

  get closed(): boolean {
    return this.closing
  }

  close(): void {
    this.closing = true
  }

  emit(event: CairnEvent): void {
    if (this.closing) return
    this.emitter.emit('event', event)
  }

  logError(err: unknown): void {
    this.emitter.emit('error-log', err)
  }

  /** A failure nobody awaits; after close it is the shutdown's doing and goes unreported. */
  report(err: unknown): void {
    if (!this.closing) this.logError(err)
  }

  /** Runs a handler of peer input: a failure is reported, never thrown into the caller's emitter. */
  guard(fn: () => Promise<void> | void): void {
    const report = (err: unknown) => this.report(err)
    try {
      // Synchronously: listeners on a new peer must be in place before its first frame is emitted.
      Promise.resolve(fn()).catch(report)
    } catch (err) {
      report(err)
    }
  }
}

export function errorText(err: unknown): string {
  if (err instanceof RatchetError) return `${err.code}: ${err.message}`
  return err instanceof Error ? err.message : String(err)
}

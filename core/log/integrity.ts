import type Hypercore from 'hypercore'
import type { SecurityKind } from '../api/types'

export type IntegrityListener = (kind: Extract<SecurityKind, 'log-fork' | 'log-invalid'>, detail: string) => void

/**
 * Turns hypercore's own verification signals on a contact's core into security events: a conflict
 * (two signed, different histories), a truncation (the writer rewrote what I already hold) or a
 * block or proof that failed verification. Returns the unsubscribe function.
 */
export function watchIntegrity(core: Hypercore, listener: IntegrityListener): () => void {
  const onConflict = (length: number, fork: number) =>
    listener('log-fork', `the contact's log has two signed versions (length ${length}, fork ${fork})`)
  const onTruncate = (ancestors: number, fork: number) =>
    listener('log-fork', `the contact's log was rewritten from block ${ancestors} (fork ${fork})`)
  const onInvalid = (err: Error) => listener('log-invalid', `a block or proof failed verification: ${err.message}`)
  core.on('conflict', onConflict)
  core.on('truncate', onTruncate)
  core.on('verification-error', onInvalid)
  return () => {
    core.off('conflict', onConflict)
    core.off('truncate', onTruncate)
    core.off('verification-error', onInvalid)
  }
}

import { resolve } from 'node:path'
import { CairnError } from '../api/errors'

// Across processes the exclusive OS lock that corestore's storage takes on its folder is the lock:
// the kernel releases it when a process dies, so a killed node never leaves a stale lock behind.
// Within one process that lock is not reliable across two opens, so a registry guards it too.
const held = new Set<string>()

/** Claims the profile folder for this process; returns the release function. */
export function claimProfile(dir: string): () => void {
  const path = resolve(dir)
  if (held.has(path)) throw busy(path)
  held.add(path)
  return () => void held.delete(path)
}

/** Maps the storage layer's "already locked" failure to the API's error. */
export function asBusyError(err: unknown, dir: string): unknown {
  const message = err instanceof Error ? err.message : ''
  return /could not be locked|lock/i.test(message) ? busy(resolve(dir)) : err
}

function busy(path: string): CairnError {
  return new CairnError('profile-busy', `the profile in ${path} is open in another Cairn process`)
}

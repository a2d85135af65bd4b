// The web shell's session credentials: what a page got in exchange for the single-use code of the
// URL, and presents on every later connection. The shell keeps only their SHA-256 (a credential is
// 32 random bytes, so a plain hash cannot be searched), at most MAX_SESSIONS of them, each dropped
// SESSION_TTL_MS after its last use. For a profile the hashes live in a file of the profile folder
// (0600, like the rest of it), so a restarted shell takes back the pages that were open on it.
import { createHash, randomBytes } from 'node:crypto'
import { readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export const SESSIONS_FILE = 'webshell-sessions.json'
export const MAX_SESSIONS = 16
export const SESSION_TTL_MS = 7 * 24 * 60 * 60 * 1000

/** The sessions file's contents (version 1): hashes in hex, expiry in ms since the epoch. */
export interface SessionsRecord {
  version: 1
  sessions: { hash: string; expires: number }[]
}

export interface SessionStore {
  /** A new credential, remembered (the oldest forgotten beyond MAX_SESSIONS). */
  issue(): string
  /** Whether the credential is one this store issued and has not forgotten; a use extends its life. */
  check(credential: string): boolean
  /** Resolves once every change so far is on disk (a failed write is reported on stderr, not thrown). */
  flushed(): Promise<void>
}

export interface SessionStoreOptions {
  /** Where the hashes are kept; absent: in memory, for this shell's lifetime only. */
  file?: string
  now?: () => number
}

const hashOf = (credential: string): string => createHash('sha256').update(credential).digest('hex')

function parseRecord(text: string): Map<string, number> {
  const live = new Map<string, number>()
  let rec: Partial<SessionsRecord>
  try {
    rec = JSON.parse(text) as Partial<SessionsRecord>
  } catch {
    return live
  }
  if (rec?.version !== 1 || !Array.isArray(rec.sessions)) return live
  for (const s of rec.sessions.slice(0, MAX_SESSIONS)) {
    if (typeof s?.hash === 'string' && /^[0-9a-f]{64}$/.test(s.hash) && Number.isSafeInteger(s.expires)) live.set(s.hash, s.expires)
  }
  return live
}

/** The sessions of a profile folder, or of this process only. A damaged file reads as no sessions. */
export async function openSessionStore(opts: SessionStoreOptions = {}): Promise<SessionStore> {
  const now = opts.now ?? Date.now
  let live = new Map<string, number>()
  if (opts.file) {
    live = parseRecord(await readFile(opts.file, 'utf8').catch(() => ''))
  }
  let writing: Promise<void> = Promise.resolve()

  function prune(): void {
    const t = now()
    for (const [hash, expires] of live) if (expires <= t) live.delete(hash)
    const excess = live.size - MAX_SESSIONS
    if (excess > 0) {
      const oldest = [...live].sort((a, b) => a[1] - b[1]).slice(0, excess)
      for (const [hash] of oldest) live.delete(hash)
    }
  }

  // Writes go one at a time, each complete (a crash leaves the old file or the new one), and changes
  // made while one is waiting share it. A page is let in before its credential is on disk: a failed
  // write costs only its re-entry after a restart.
  let queued = false
  function persist(): void {
    const file = opts.file
    if (!file || queued) return
    queued = true
    writing = writing.then(async () => {
      queued = false
      const rec: SessionsRecord = { version: 1, sessions: [...live].map(([hash, expires]) => ({ hash, expires })) }
      try {
        await writeFile(`${file}.tmp`, `${JSON.stringify(rec)}\n`, { mode: 0o600 })
        await rename(`${file}.tmp`, file)
      } catch (err) {
        console.error(`cairn: web shell sessions not saved: ${err instanceof Error ? err.message : String(err)}`)
      }
    })
  }

  return {
    issue() {
      const credential = randomBytes(32).toString('base64url')
      live.set(hashOf(credential), now() + SESSION_TTL_MS)
      prune()
      persist()
      return credential
    },
    check(credential) {
      prune()
      const hash = hashOf(credential)
      if (!live.has(hash)) return false
      live.set(hash, now() + SESSION_TTL_MS)
      persist()
      return true
    },
    flushed: () => writing
  }
}

/** The store for a profile folder's web shell. */
export function profileSessionStore(profileDir: string): Promise<SessionStore> {
  return openSessionStore({ file: join(profileDir, SESSIONS_FILE) })
}

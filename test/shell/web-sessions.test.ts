// The web shell's remembered session credentials: only hashes on disk, owner-only, bounded in count
// and life, the frozen version-1 file read and written as pinned, a damaged file read as none.
import { copyFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MAX_SESSIONS, openSessionStore, SESSION_TTL_MS, SESSIONS_FILE } from '../../shell/web-sessions'

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'webshell-sessions-v1.json')
// The credential whose SHA-256 the fixture holds.
const FIXTURE_CREDENTIAL = 'A'.repeat(43)
const T0 = 1_800_000_000_000

describe('web shell sessions', () => {
  let dir: string
  let file: string
  let clock: number
  const now = () => clock

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-sessions-'))
    file = join(dir, SESSIONS_FILE)
    clock = T0
  })

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('reads the frozen version-1 file and writes the same layout, the use extending the life', async () => {
    await copyFile(FIXTURE, file)
    const store = await openSessionStore({ file, now })
    expect(store.check('B'.repeat(43))).toBe(false)
    expect(store.check(FIXTURE_CREDENTIAL)).toBe(true)
    await store.flushed()
    const fixture = await readFile(FIXTURE, 'utf8')
    expect(await readFile(file, 'utf8')).toBe(fixture.replace('1900000000000', String(T0 + SESSION_TTL_MS)))
  })

  it('keeps only hashes, in an owner-only file, and a restarted shell takes the credential back', async () => {
    const store = await openSessionStore({ file, now })
    const credential = store.issue()
    await store.flushed()
    const text = await readFile(file, 'utf8')
    expect(text).not.toContain(credential)
    expect(text).not.toContain(Buffer.from(credential, 'base64url').toString('hex'))
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    const reopened = await openSessionStore({ file, now })
    expect(reopened.check(credential)).toBe(true)
    expect(reopened.check(credential.slice(0, -1) + (credential.endsWith('A') ? 'B' : 'A'))).toBe(false)
    await reopened.flushed()
  })

  it('forgets a credential unused for its lifetime, and the oldest beyond the bound', async () => {
    const store = await openSessionStore({ file, now })
    const idle = store.issue()
    clock += SESSION_TTL_MS / 2
    const used = store.issue()
    clock += SESSION_TTL_MS / 2
    expect(store.check(used)).toBe(true)
    expect(store.check(idle)).toBe(false)

    const issued = Array.from({ length: MAX_SESSIONS + 4 }, () => {
      clock += 1
      return store.issue()
    })
    await store.flushed()
    const reopened = await openSessionStore({ file, now })
    expect(issued.map((c) => reopened.check(c))).toEqual([...Array(4).fill(false), ...Array(MAX_SESSIONS).fill(true)])
    expect(reopened.check(used)).toBe(false)
    await reopened.flushed()
    const rec = JSON.parse(await readFile(file, 'utf8')) as { sessions: unknown[] }
    expect(rec.sessions.length).toBeLessThanOrEqual(MAX_SESSIONS)
  })

  it('reads a damaged, foreign or oversized file as no sessions, and then writes a good one', async () => {
    const hash = '0f007385b6f9d4b7eeb2748605afe1a984a0a3bfa3f014d09e2a784ce9e5cd1a'
    for (const text of [
      '{not json',
      'null',
      '{"version":2,"sessions":[]}',
      `{"version":1,"sessions":[{"hash":"${hash.toUpperCase()}","expires":1900000000000}]}`,
      `{"version":1,"sessions":[{"hash":"${hash}","expires":"1900000000000"}]}`,
      `{"version":1,"sessions":{"hash":"${hash}"}}`
    ]) {
      await writeFile(file, text)
      const store = await openSessionStore({ file, now })
      expect(store.check(FIXTURE_CREDENTIAL), text).toBe(false)
    }
    const many = Array.from({ length: 1000 }, (_, i) => ({ hash: i === 999 ? hash : 'f'.repeat(64), expires: 1_900_000_000_000 }))
    await writeFile(file, JSON.stringify({ version: 1, sessions: many }))
    expect((await openSessionStore({ file, now })).check(FIXTURE_CREDENTIAL)).toBe(false)
    const store = await openSessionStore({ file, now })
    const fresh = store.issue()
    await store.flushed()
    const last = await openSessionStore({ file, now })
    expect(last.check(fresh)).toBe(true)
    await last.flushed()
  })

  it('in memory only when given no file', async () => {
    const store = await openSessionStore({ now })
    const credential = store.issue()
    expect(store.check(credential)).toBe(true)
    await store.flushed()
    expect((await openSessionStore({ now })).check(credential)).toBe(false)
  })
})

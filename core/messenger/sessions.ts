import { Session } from '../ratchet'
import { keys, type Store, type Tx } from '../store'
import type { Conversation } from './conversation'
import type { ContactRecord } from './records'

/** Sessions kept per contact: the active one plus a few that may still carry messages in flight. */
const MAX_SESSIONS = 4

export async function loadSession(c: Conversation, tx: Tx, sid: string): Promise<Session | null> {
  const cached = c.sessions.get(sid)
  if (cached) return cached
  const bytes = await tx.get(keys.session(c.tag, Buffer.from(sid, 'hex')))
  if (!bytes) return null
  const session = Session.decode(bytes)
  c.sessions.set(sid, session)
  return session
}

/**
 * Adds a session to the contact's set. When both sides started a session at once, each ends up
 * holding both; both then write with the one whose id sorts first, so they converge on one.
 */
export function adoptSession(c: Conversation, rec: ContactRecord, session: Session, mine: boolean): void {
  const sid = session.id.toString('hex')
  c.sessions.set(sid, session)
  const others = rec.sessions.filter((s) => s !== sid)
  const active = others[0]
  const first = active === undefined || mine || sid < active
  rec.sessions = first ? [sid, ...others] : [active, sid, ...others.slice(1)]
  while (rec.sessions.length > MAX_SESSIONS) {
    const dropped = rec.sessions.pop()
    if (dropped) c.sessions.delete(dropped)
  }
}

/**
 * Runs a store write that may advance ratchet sessions in memory; if it does not commit, the
 * in-memory sessions are dropped so they reload from the last committed state.
 */
export async function commitOrForget<T extends { rec: ContactRecord }>(store: Store, c: Conversation, fn: (tx: Tx) => Promise<T> | T): Promise<T> {
  try {
    return await store.write(fn, (result) => (c.rec = result.rec))
  } catch (err) {
    c.sessions.clear()
    throw err
  }
}

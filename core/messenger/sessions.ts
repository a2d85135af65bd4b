import { Session } from '../ratchet'
import { keys, type Tx } from '../store'
import type { ContactRecord } from './records'

/** Sessions kept per contact: the active one plus a few that may still carry messages in flight. */
const MAX_SESSIONS = 4

/** One contact's ratchet sessions in memory, loaded from the store on first use. */
export class SessionSet {
  private readonly cache = new Map<string, Session>()

  constructor(private readonly tag: Buffer) {}

  async load(tx: Tx, sid: string): Promise<Session | null> {
    const cached = this.cache.get(sid)
    if (cached) return cached
    const bytes = await tx.get(keys.session(this.tag, Buffer.from(sid, 'hex')))
    if (!bytes) return null
    const session = Session.decode(bytes)
    this.cache.set(sid, session)
    return session
  }

  /**
   * Adds a session to the contact's set (the draft record's list). When both sides started a
   * session at once, each ends up holding both; both then write with the one whose id sorts first,
   * so they converge on one.
   */
  adopt(rec: ContactRecord, session: Session, mine: boolean): void {
    const sid = session.id.toString('hex')
    this.cache.set(sid, session)
    const others = rec.sessions.filter((s) => s !== sid)
    const active = others[0]
    const first = active === undefined || mine || sid < active
    rec.sessions = first ? [sid, ...others] : [active, sid, ...others.slice(1)]
    while (rec.sessions.length > MAX_SESSIONS) {
      const dropped = rec.sessions.pop()
      if (dropped) this.cache.delete(dropped)
    }
  }

  /** Drops what is in memory: the sessions reload from their last committed state. */
  forget(): void {
    this.cache.clear()
  }
}

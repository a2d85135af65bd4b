// What changes a conversation after the fact, in my log and in both histories: my reaction to a
// message, an edit or a delete for everyone of one of mine, and the disappearing-message setting.
// Each is a block of my log of its own, encrypted in the ratchet session like a message. Also what
// leaves the conversation afterwards: messages that expired, and those the contact deleted.
import { CairnError } from '../api/errors'
import type { CallLine, Contact, Message } from '../api/types'
import { encodePayload, type MessageRef } from '../protocol/payload'
import type { Tx } from '../store'
import { writeCallLine } from './call-history'
import { edit, reaction, type Change } from './changes'
import { expireRecords, tombstone } from './deletion'
import { writeTimer } from './disappearing'
import type { EventSink } from './events'
import { locate } from './message-ref'
import type { Outbox } from './outbox'
import type { Counterpart } from './receive'
import type { ContactRecord, MessageRecord } from './records'
import { QUEUED, writeChange } from './send'

/** What the changes need of their conversation. */
export interface ChangeSite {
  counterpart: Counterpart
  outbox: Outbox
  events: EventSink
  /** Blocks appended to my log so far. */
  appended(): number
  record(): Readonly<ContactRecord>
  commit<T>(fn: (rec: ContactRecord, tx: Tx) => Promise<T>): Promise<T>
  refuseIfBlocked(): void
  resumeAppends(): void
  toMessage(m: MessageRecord, seq: number): Message
  announce(): Contact
  /** Deletes one message on this device only, with its file (a message never sent has no other copy). */
  deleteHere(id: string): Promise<void>
  eraseFile(m: MessageRecord): Promise<void>
}

export class ConversationChanges {
  constructor(private readonly site: ChangeSite) {}

  /** My one reaction to a message of this conversation ('' withdraws it), sent in its own block. */
  react(id: string, emoji: string): Promise<Message> {
    return this.change(id, (ref) => reaction(ref, emoji)).then(({ out }) => out)
  }

  /** A new text for one of my messages, on both sides; the earlier ones stay in my history only. */
  edit(id: string, text: string): Promise<Message> {
    return this.change(id, (ref) => edit(ref, text)).then(({ out }) => out)
  }

  /**
   * One of my messages deleted on both sides: a tombstone takes its place here, the delete block
   * makes one take its place there, and its file's chunks are erased; the caller ends the store
   * epoch. One still queued has reached no one, so it is deleted here only.
   */
  async deleteForEveryone(id: string): Promise<void> {
    const { ref } = await locate(this.site.counterpart, this.site.counterpart.deps.store, id)
    if (!ref.mine) throw new CairnError('invalid-argument', 'only my own messages can be deleted for everyone')
    if (ref.block === QUEUED) return this.site.deleteHere(id)
    const deleteOf = (to: MessageRef): Change => ({ payload: encodePayload({ kind: 'delete', sentAt: Date.now(), to }), apply: tombstone })
    const { before } = await this.change(id, deleteOf)
    await this.site.eraseFile(before)
  }

  /** The conversation's disappearing-message setting, sent in its own block; a line in both histories. */
  async setDisappearing(seconds: number): Promise<Contact> {
    const { site } = this
    site.refuseIfBlocked()
    if ((site.record().disappear?.seconds ?? 0) === seconds) return site.announce()
    const { block, envelope, message, seq } = await site.commit((rec, tx) => writeTimer(site.counterpart, site.outbox, site.appended(), rec, tx, seconds))
    site.outbox.add(block, envelope, null)
    site.resumeAppends()
    site.events.emit({ type: 'message', message: site.toMessage(message, seq) })
    return site.announce()
  }

  /** A call that ended, as a line in this side's history (see call-history.ts). */
  async callLine(dir: 'in' | 'out', startedAt: number, endedAt: number, call: CallLine): Promise<void> {
    const { site } = this
    const { message, seq } = await site.commit((rec, tx) => writeCallLine(site.counterpart, rec, tx, { dir, startedAt, endedAt, call }))
    site.events.emit({ type: 'message', message: site.toMessage(message, seq), seq: message.eventSeq })
    site.announce()
  }

  /** Messages that expired (history number, expiry), deleted with their files; the caller ends the store epoch. */
  async expire(due: Array<{ seq: number; at: number }>): Promise<number> {
    const { site } = this
    const gone = await site.commit((rec, tx) => expireRecords(site.counterpart, rec, tx, due))
    if (gone.length === 0) return 0
    for (const m of gone) await site.eraseFile(m)
    site.events.emit({ type: 'messages-deleted', contact: site.counterpart.key.id, ids: gone.map((m) => m.id) })
    site.announce()
    return gone.length
  }

  /** Messages the contact deleted for everyone: their files' chunks, then their text, leave the disk. */
  async eraseDeleted(erased: MessageRecord[]): Promise<void> {
    for (const m of erased) await this.site.eraseFile(m)
    await this.site.counterpart.deps.erase()
  }

  private async change(id: string, make: (ref: MessageRef) => Change): Promise<{ out: Message; before: MessageRecord }> {
    const { site } = this
    site.refuseIfBlocked()
    const { seq, ref, record } = await locate(site.counterpart, site.counterpart.deps.store, id)
    if (record.call) throw new CairnError('invalid-argument', 'a call line is not a message: it cannot be changed')
    const { payload, apply } = make(ref)
    const { block, envelope, message } = await site.commit((rec, tx) => writeChange(site.counterpart, site.outbox, site.appended(), rec, tx, payload, seq, apply))
    if (envelope) {
      site.outbox.add(block, envelope, null)
      site.resumeAppends()
    }
    const out = site.toMessage(message, seq)
    site.events.emit({ type: 'message', message: out, seq: message.eventSeq })
    site.announce()
    return { out, before: record }
  }
}

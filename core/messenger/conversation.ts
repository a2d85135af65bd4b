import type Hypercore from 'hypercore'
import type { Contact, Message, MessageState, Presence } from '../api/types'
import { encodeContactId } from '../identity'
import type { LogReader } from '../log'
import type { Peer } from '../net'
import type { Session } from '../ratchet'
import type { ContactRecord, MessageRecord } from './records'

/** Everything the messenger holds in memory about one contact; the record is the durable part. */
export class Conversation {
  readonly id: string
  readonly pk: Buffer
  own: Hypercore | null = null
  theirs: Hypercore | null = null
  reader: LogReader | null = null
  peer: Peer | null = null
  readonly sessions = new Map<string, Session>()
  /** Settles once my log (and theirs, when known) is open: a peer may connect before that. */
  opened: Promise<void> = Promise.resolve()
  /** Envelopes committed in this run and not yet appended, by block: saves reading them back. */
  readonly outbox = new Map<number, { envelope: Buffer; seq: number }>()
  /** Appends to my log run one after another, in block order. */
  appending: Promise<void> = Promise.resolve()
  /** Pending envelopes below this block are known to be cleaned up. */
  cleanedTo = 0
  stopWatching: (() => void) | null = null
  /** Their receipts as heard: ahead of the record until saveReceipts writes them. */
  readonly receipts: { delivered: number; read: number }
  receiptSave: NodeJS.Timeout | null = null

  constructor(
    public rec: ContactRecord,
    readonly tag: Buffer
  ) {
    this.pk = Buffer.from(rec.pk, 'hex')
    this.id = encodeContactId(this.pk)
    this.receipts = { delivered: rec.delivered, read: rec.read }
  }

  get presence(): Presence {
    if (!this.peer) return 'offline'
    return this.peer.lan ? 'lan' : 'online'
  }

  /** A message id unique within the profile: a short form of the contact's tag and the history number. */
  messageId(seq: number): string {
    return `${this.tag.subarray(0, 6).toString('hex')}-${seq}`
  }

  toContact(): Contact {
    const r = this.rec
    return {
      id: this.id,
      name: r.name,
      presence: this.presence,
      blocked: r.blocked,
      verified: r.verified,
      unread: r.unread,
      lastMessage: r.lastMessage,
      lastActivity: r.lastActivity,
      addedAt: r.addedAt,
      announcedName: r.announcedName
    }
  }

  stateOf(m: MessageRecord, seq: number): MessageState {
    if (m.dir === 'in') return seq < this.rec.readSeq ? 'read' : 'delivered'
    if (m.block < 0) return 'pending'
    if (m.block < this.receipts.read) return 'read'
    if (m.block < this.receipts.delivered) return 'delivered'
    return this.own && m.block < this.own.length ? 'sent' : 'pending'
  }

  toMessage(m: MessageRecord, seq: number): Message {
    return {
      id: m.id,
      contact: this.id,
      direction: m.dir,
      text: m.text,
      sentAt: m.sentAt,
      receivedAt: m.receivedAt,
      state: this.stateOf(m, seq)
    }
  }
}

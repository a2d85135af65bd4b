// How stored records show through the API: a contact, and a message with its state from what the
// contact's receipts, their home node and my log say about it.
import type { Contact, FileInfo, Message, MessageState, Presence } from '../api/types'
import type { Peer } from '../net'
import type { ContactRecord, MessageRecord } from './records'

export function presenceOf(peer: Peer | null): Presence {
  if (!peer) return 'offline'
  return peer.lan ? 'lan' : 'online'
}

export function contactView(r: ContactRecord, id: string, presence: Presence): Contact {
  return {
    id,
    name: r.name,
    presence,
    blocked: r.blocked,
    verified: r.verified,
    unread: r.unread,
    lastMessage: r.lastMessage,
    lastActivity: r.lastActivity,
    addedAt: r.addedAt,
    announcedName: r.announcedName,
    ...(r.disappear?.seconds ? { disappearing: r.disappear.seconds } : {})
  }
}

/** Where the conversation stands, for the state of one message. */
export interface Progress {
  /** History entries below this one were read by me. */
  readSeq: number
  /** Blocks of my log the contact reported delivered or read (below each mark). */
  heard: { delivered: number; read: number }
  /** Blocks of my log their home node holds (below this mark). */
  atHome: number
  /** Blocks appended to my log so far; 0 while it is not open. */
  appended: number
}

export function messageState(m: MessageRecord, seq: number, p: Progress): MessageState {
  if (m.dir === 'in') return seq < p.readSeq ? 'read' : 'delivered'
  if (m.call) return 'sent'
  if (m.block < 0) return 'pending'
  if (m.block < p.heard.read) return 'read'
  if (m.block < p.heard.delivered) return 'delivered'
  if (m.block < p.atHome) return 'home'
  return m.block < p.appended ? 'sent' : 'pending'
}

/** `file` is the file's view, for a message that carries one. */
export function messageView(m: MessageRecord, contact: string, state: MessageState, file?: FileInfo): Message {
  return {
    id: m.id,
    contact,
    direction: m.dir,
    text: m.text,
    sentAt: m.sentAt,
    receivedAt: m.receivedAt,
    state,
    ...(m.replyTo ? { replyTo: m.replyTo } : {}),
    ...(m.reactions ? { reactions: m.reactions } : {}),
    ...(m.edited ? { edited: true } : {}),
    ...(m.edits ? { edits: m.edits } : {}),
    ...(file ? { file } : {}),
    ...(m.deleted ? { deleted: true } : {}),
    ...(m.expiresAt !== undefined ? { expiresAt: m.expiresAt } : {}),
    ...(m.timer !== undefined ? { timer: m.timer } : {}),
    ...(m.call ? { call: m.call } : {})
  }
}

// What the API shows of a conversation's records: a contact as listed, and a message's state from
// what is known of its blocks (queued, appended, at their home node, delivered, read).
import type { Contact, MessageState, Presence } from '../api/types'
import type { Peer } from '../net'
import type { ContactRecord, MessageRecord } from './records'

export function presenceOf(peer: Peer | null): Presence {
  if (!peer) return 'offline'
  return peer.lan ? 'lan' : 'online'
}

export function contactView(id: string, r: ContactRecord, presence: Presence): Contact {
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
    announcedName: r.announcedName
  }
}

/** How far my log has gone: the receipts heard, and how many blocks are appended (null while it is not open). */
export interface OutgoingProgress {
  heard: { delivered: number; read: number }
  appended: number | null
}

export function messageState(m: MessageRecord, seq: number, r: ContactRecord, out: OutgoingProgress): MessageState {
  if (m.dir === 'in') return seq < r.readSeq ? 'read' : 'delivered'
  if (m.block < 0) return 'pending'
  if (m.block < out.heard.read) return 'read'
  if (m.block < out.heard.delivered) return 'delivered'
  if (m.block < (r.atHome ?? 0)) return 'home'
  return out.appended !== null && m.block < out.appended ? 'sent' : 'pending'
}

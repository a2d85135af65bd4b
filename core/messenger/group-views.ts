// How a group shows through the API: its info, and each accepted block of its history as a line
// (a message, or a system line for a membership change) with delivery and read counts.
import type { GroupInfo, GroupMember, GroupMessage, SecurityEvent } from '../api/types'
import type { Group, GroupSecurityEvent, TimelineItem } from '../groups'
import type { Op } from '../groups'
import { ContactKey } from '../identity'
import { decodePayload } from '../protocol/payload'
import type { GroupRecord } from './records'

/** What views need to know of the people in a group. */
export interface People {
  me: Buffer
  /** My name for a contact; null for someone who is not one. */
  contactName(identity: Buffer): string | null
  verified(identity: Buffer): boolean
}

export function idOf(identity: Buffer): string {
  return ContactKey.fromBytes(identity).id
}

export function nameOf(people: People, identity: Buffer): string {
  if (identity.equals(people.me)) return 'You'
  return people.contactName(identity) ?? idOf(identity).slice(0, 10)
}

/** A line's id: the start of its author's log key and its position there (unique within the group). */
export function lineId(item: { log: Buffer; seq: number }): string {
  return `${item.log.toString('hex').slice(0, 16)}-${item.seq}`
}

function systemText(people: People, author: Buffer, op: Op): string {
  const who = nameOf(people, author)
  switch (op.type) {
    case 'create':
      return `${who} created the group “${op.name}”`
    case 'add':
      return `${who} added ${nameOf(people, op.member)}`
    case 'remove':
      return op.member.equals(author) ? `${who} left` : `${who} removed ${nameOf(people, op.member)}`
    case 'promote':
      return `${who} made ${nameOf(people, op.member)} an admin`
    case 'leave':
      return `${who} left`
    case 'rename':
      return `${who} renamed the group to “${op.name}”`
  }
}

/** The text and sending time of a message line; null when the plaintext is not a text payload. */
export function messageText(plaintext: Buffer): { text: string; sentAt: number } | null {
  try {
    const p = decodePayload(plaintext)
    return p.kind === 'text' ? { text: p.text, sentAt: p.sentAt } : null
  } catch {
    return null
  }
}

export interface Counts {
  delivered: number
  read: number
  of: number
}

export function lineView(people: People, groupId: string, item: TimelineItem, counts: Counts): GroupMessage {
  const base = {
    id: lineId(item),
    group: groupId,
    author: idOf(item.author),
    authorName: nameOf(people, item.author),
    direction: item.author.equals(people.me) ? ('out' as const) : ('in' as const),
    ...counts
  }
  if (item.op) return { ...base, kind: 'system', text: systemText(people, item.author, item.op), sentAt: 0, unreadable: false }
  const m = item.plaintext ? messageText(item.plaintext) : null
  return { ...base, kind: 'text', text: m?.text ?? '', sentAt: m?.sentAt ?? 0, unreadable: m === null }
}

export function membersView(people: People, group: Group): GroupMember[] {
  return group.members().map((m) => ({
    id: idOf(m.identity),
    name: nameOf(people, m.identity),
    role: m.admin ? 'admin' : 'member',
    me: m.identity.equals(people.me),
    contact: people.contactName(m.identity) !== null,
    verified: people.verified(m.identity)
  }))
}

export function groupView(people: People, group: Group, rec: GroupRecord, unread: number): GroupInfo {
  const me = group.state.members.get(people.me.toString('hex'))
  return {
    id: rec.id,
    name: group.name || rec.nameHint,
    status: rec.status,
    admin: me?.admin ?? false,
    members: membersView(people, group),
    unread,
    lastMessage: rec.lastMessage,
    lastActivity: rec.lastActivity,
    createdAt: rec.createdAt
  }
}

/** A refusal, fork or bad sealed key in a group, as a security event naming its author (or the group). */
export function securityView(e: GroupSecurityEvent, groupName: string, groupId: string): SecurityEvent {
  const where = `in group “${groupName}”`
  const at = Date.now()
  switch (e.kind) {
    case 'fork':
      return { contact: idOf(e.evidence.author), kind: 'log-fork', detail: `signed two versions of block ${e.evidence.seq} of their log ${where}`, at }
    case 'head-conflict':
      return { contact: groupId, kind: 'log-fork', detail: `a member referenced a version of another member's log I do not hold ${where}`, at }
    case 'bad-share':
      return { contact: idOf(e.author), kind: 'protocol-violation', detail: `sent a sender key that did not open ${where}: ${e.detail}`, at }
    case 'refused':
      return { contact: idOf(e.author), kind: 'protocol-violation', detail: `block ${e.seq} was refused ${where}: ${e.reason}`, at }
  }
}

// The groups part of the API contract (see types.ts): a group as a second kind of conversation.
import type { ContactId, HistoryQuery, MessagePreview } from './types'

/** A group's id: its 32-byte id in hex (the hash its creator's first block commits to). */
export type GroupId = string

export type GroupRole = 'admin' | 'member'

export interface GroupMember {
  id: ContactId
  /** My name for them when they are a contact, "me" for me, else the start of their ID. */
  name: string
  role: GroupRole
  me: boolean
  contact: boolean
  /** I compared safety numbers with them (only contacts can be verified). */
  verified: boolean
}

/** joining: invited, my addition has not reached me yet; removed / left: no longer a member. */
export type GroupStatus = 'joining' | 'member' | 'removed' | 'left'

export interface GroupInfo {
  id: GroupId
  name: string
  status: GroupStatus
  /** Whether I am an admin (admins add, remove and rename). */
  admin: boolean
  members: GroupMember[]
  unread: number
  lastMessage: MessagePreview | null
  lastActivity: number
  createdAt: number
}

/**
 * One line of a group's history: a message or a membership change ('system'), in the order every
 * member computes. `delivered` / `read` count the other members (of `of`) known to have it / to have
 * read it; only for my own messages.
 */
export interface GroupMessage {
  id: string
  group: GroupId
  author: ContactId
  authorName: string
  direction: 'in' | 'out'
  kind: 'text' | 'system'
  text: string
  /** The author's clock for a message, 0 for a system line. */
  sentAt: number
  /** A message this member holds no key for (sent before I joined, or I was removed): no text. */
  unreadable: boolean
  delivered: number
  read: number
  of: number
}

export interface GroupHistoryPage {
  /** Newest first. */
  messages: GroupMessage[]
  before: string | null
}

/** Who has one of my group messages, and who read it (the list behind "delivered to N of M"). */
export interface GroupReceipts {
  delivered: ContactId[]
  read: ContactId[]
  of: number
}

export type GroupEvent =
  | { type: 'group'; group: GroupInfo }
  | { type: 'group-message'; message: GroupMessage }
  /** Receipts of my messages in this group changed: delivered / read counts are worth fetching again. */
  | { type: 'group-receipts'; group: GroupId }

export interface GroupApi {
  groups(): Promise<GroupInfo[]>
  /** A new group with me as its admin; each contact is invited at once (they join by themselves). */
  createGroup(name: string, members: ContactId[]): Promise<GroupInfo>
  /** Invites more contacts (admins only). */
  inviteToGroup(group: GroupId, members: ContactId[]): Promise<GroupInfo>
  /** Removes a member (admins only): they read nothing sent after it. */
  removeFromGroup(group: GroupId, member: ContactId): Promise<GroupInfo>
  leaveGroup(group: GroupId): Promise<GroupInfo>
  renameGroup(group: GroupId, name: string): Promise<GroupInfo>
  sendToGroup(group: GroupId, text: string): Promise<GroupMessage>
  groupHistory(group: GroupId, query?: HistoryQuery): Promise<GroupHistoryPage>
  markGroupRead(group: GroupId): Promise<void>
  groupReceipts(group: GroupId, message: string): Promise<GroupReceipts>
}

import type { CallLine, MessagePreview, Reactions } from '../api/types'

/** Profile-wide record: what is not a secret of the keystore but must survive a restart. */
export interface MetaRecord {
  name: string
  lanDiscovery: boolean
  /** Absent in profiles from before hidden mode: not hidden. */
  hidden?: boolean
  /**
   * The user set lanDiscovery. Profiles made before LAN discovery was on by default stored false
   * without anyone choosing it: without this flag, discovery is on.
   */
  lanChosen?: boolean
  createdAt: number
  /** Id of my current signed prekey (the one in my bundle). */
  prekeyId: number
  /** Absent until the user sets it: DEFAULT_AUTO_DOWNLOAD's size. */
  autoDownloadBytes?: number
}

/** One contact and my position in our two logs. Buffers are hex. */
export interface ContactRecord {
  pk: string
  name: string
  addedAt: number
  blocked: boolean
  verified: boolean
  announcedName: string | null
  /** The key of their log for me, as first announced in their hello; any other key is refused. */
  theirLog: string | null
  /** Their home node's key (hex), as they announced it in our session; absent when they have none. */
  home?: string
  /** Blocks of my log their home node holds (below this), as its replication says. */
  atHome?: number
  /** Their latest prekey bundle, verified against their identity key. */
  bundle: string | null
  /** Why their log is no longer read (it was rewritten), or null while it is trusted. */
  logFault: string | null
  /** Blocks of their log processed (decrypted and stored, or rejected). */
  consumed: number
  /** Blocks of their log I have told them I read. */
  readBlocks: number
  /** Messages committed to my log for them (block i of my log is my i-th message). */
  outCount: number
  /** Their receipts: my blocks below these are delivered / read. */
  delivered: number
  read: number
  /** History sequence: the next message's number, and where my read mark stands. */
  nextSeq: number
  readSeq: number
  unread: number
  lastMessage: MessagePreview | null
  lastActivity: number
  /** I asked them to add me and have not met them yet: the request is re-sent after a restart. */
  requested: boolean
  /** The secret (hex) of their invite my request goes through; absent: through their inbox. */
  invite?: string
  /** Ratchet sessions by id (hex), the active one first. */
  sessions: string[]
  /**
   * History numbers of messages written before their prekey bundle was known, oldest first: kept
   * (in the encrypted store) unencrypted to them until the bundle arrives, so every session starts
   * from their signed prekey. Absent in records written before this existed.
   */
  queued?: number[]
  /** Their one-time prekey (published form, hex) their home node handed me, for the session I start. */
  oneTime?: string
  /** Their home node, found by their inbox while they were away: my introduction waits there (hex). */
  introBox?: string
  /** Blocks of my log carried in introductions left on their home node (below this). */
  introduced?: number
  /** The key of their blob store, as named by the first file they sent (absent before files). */
  theirBlobs?: string | null
  /**
   * Disappearing messages, as last agreed: seconds (0: off), when the side that set it wrote it
   * (its clock, which orders two settings made at once) and whether that side was me. Absent: off.
   */
  disappear?: { seconds: number; at: number; mine: boolean }
  /** Client ids given to my sends so far (see client-ids.ts); absent before client ids. */
  clientIds?: number
}

export interface RequestRecord {
  pk: string
  name: string
  receivedAt: number
  bundle: string | null
  /** Left on my home node while I was away: their log and home node, and blocks of their log from `from`. */
  intro?: { log: string; home: string | null; from: number; envelopes: string[] }
}

export interface MessageRecord {
  id: string
  dir: 'in' | 'out'
  text: string
  sentAt: number
  receivedAt: number
  /** Index of the block in my log (outgoing) or theirs (incoming); -1 while queued for their bundle. */
  block: number
  /** The local id of the message this one replies to, when that message is kept here. */
  replyTo?: string
  /** One reaction per person: mine and the contact's, each absent when there is none. */
  reactions?: Reactions
  /** Changed by its writer after it was sent. */
  edited?: boolean
  /** My own message's earlier texts, oldest first (kept on my side only). */
  edits?: string[]
  /** A file message: its descriptor (hex); `text` is the caption. */
  file?: string
  /** An incoming file is all here and matched its hash. */
  fileReady?: boolean
  /** Deleted for everyone by its writer: the text (and file, edits, reactions) are gone, the place stays. */
  deleted?: boolean
  /** A disappearing message: erased at this time (this device's clock, ms). */
  expiresAt?: number
  /** Not a message but a line about the conversation: disappearing messages set to this many seconds by `dir`'s side. */
  timer?: number
  /** Not a message but a line about a call in `dir`, from sentAt to receivedAt; never in a log (block -1). */
  call?: CallLine
  /** The number its latest change took in the profile's message events (see message-events.ts); absent in records from before. */
  eventSeq?: number
}

/** What a client id given to a send stored: the message, and when (ms), so old ids can be forgotten. */
export interface ClientIdRecord {
  seq: number
  at: number
}

/**
 * What stays of a removed contact: where the two logs stood, and our ratchet sessions. Both logs outlive the contact (mine
 * is signed history they may hold; theirs may still replicate), so adding them again continues
 * both where they were instead of re-reading old blocks or rewriting mine from block 0.
 */
export interface FormerRecord {
  theirLog: string | null
  consumed: number
  outCount: number
  /** The ratchet sessions stay too: their side still writes with one of them. */
  sessions: string[]
  /** And the disappearing-message setting, which their side still keeps (absent: off, or removed before it existed). */
  disappear?: ContactRecord['disappear']
}

/** A group I am in or was in, by the local tag of my log for it. Its secrets are in its snapshot (keys.groupState). */
export interface GroupRecord {
  /** The group id (hex). */
  id: string
  status: 'joining' | 'member' | 'removed' | 'left'
  /** The name the invitation gave, shown until the group's signed history reaches me. */
  nameHint: string
  createdAt: number
  lastActivity: number
  lastMessage: MessagePreview | null
  /** Readable incoming messages there were when I last marked the group read. */
  readIn: number
  /** My read mark: per log (hex), the blocks delivered when I last marked the group read. */
  readMarks: Record<string, number>
  /** Contacts (public key hex) I invited whose acceptance has not come yet. */
  invited: string[]
  /** What each member (by log key hex) said over the group channel they had of my log, and read of it. */
  heard: Record<string, { delivered: number; read: number }>
  /** An admin told me over our 1:1 session that they removed me; my replica may never see the block. */
  removedNotice?: boolean
}

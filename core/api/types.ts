// The one typed contract between a user interface (Electron renderer, web shell page, CLI) and the
// core. Every transport (IPC, WebSocket, the CLI's control socket) carries exactly these calls and
// events; nothing here may import Node, Electron or the DOM.
import type { Call, CallEnd, CallLine, CallQuality, MediaFrame, MediaKind } from './call-types'
import type { GroupApi, GroupEvent } from './group-types'
import type { MessageReplay } from './replay'
export type * from './call-types'
export type * from './group-types'
export type { MessageReplay, SequencedMessage } from './replay'
import type { SearchHit, SearchQuery } from './search'
export type { SearchHit, SearchQuery } from './search'

/** A contact ID in its human form: z-base32 of the Ed25519 public key plus a checksum. */
export type ContactId = string

/** Where the node currently reaches peers: the internet DHT, only nodes on the local link, or nothing. */
export type NetworkMode = 'internet' | 'lan' | 'offline'

/** How a contact is reachable right now: connected (over the internet or directly on the LAN) or not. */
export type Presence = 'online' | 'lan' | 'offline'

/**
 * Outgoing: pending (durable locally, not yet in the log) → sent (appended to my signed log) →
 * home (on the contact's home node, not yet on their device) → delivered (the contact decrypted it)
 * → read. Incoming messages are always 'delivered' or 'read'.
 */
export type MessageState = 'pending' | 'sent' | 'home' | 'delivered' | 'read'

export interface Profile {
  id: ContactId
  name: string
}

export interface MessagePreview {
  direction: 'in' | 'out'
  text: string
  at: number
}

export interface Contact {
  id: ContactId
  name: string
  presence: Presence
  blocked: boolean
  verified: boolean
  unread: number
  lastMessage: MessagePreview | null
  /** ms since epoch of the last message or of adding the contact, for sorting by recent activity. */
  lastActivity: number
  addedAt: number
  /** Their display name as they announce it, which may differ from the local name I gave them. */
  announcedName: string | null
  /** Disappearing messages as both sides agreed, seconds; absent when off. */
  disappearing?: number
}

export interface ContactRequest {
  id: ContactId
  /** The display name the requester announced; untrusted, shown as such. */
  name: string
  receivedAt: number
}

export interface Message {
  /** Stable local id, unique within the profile. */
  id: string
  contact: ContactId
  direction: 'in' | 'out'
  text: string
  /** Sender's clock, ms since epoch (from inside the encrypted envelope for incoming messages). */
  sentAt: number
  /** Local clock when it was stored on this device. */
  receivedAt: number
  state: MessageState
  /** The id of the message this one quotes, when it is kept on this device. */
  replyTo?: string
  reactions?: Reactions
  /** Changed by its writer after it was sent. */
  edited?: boolean
  /** For my own edited messages only: the earlier texts, oldest first. */
  edits?: string[]
  /** Present when the message carries a file; `text` is then its caption. */
  file?: FileInfo
  /** Deleted for everyone by its writer: only its place is left (text ''). */
  deleted?: boolean
  /** A disappearing message: when it is erased here (ms since epoch). */
  expiresAt?: number
  /** Not a message: `direction`'s side set disappearing messages to this (seconds, 0: off). */
  timer?: number
  /** Not a message: a call in `direction`, from sentAt (when it began) to receivedAt (when it ended). */
  call?: CallLine
}

/**
 * offered: announced, not (all) here yet; downloading: being fetched; ready: every chunk is here
 * and the whole file matched its hash (a file I sent is always ready); failed: refused or broken.
 */
export type FileState = 'offered' | 'downloading' | 'ready' | 'failed'

export interface FileInfo {
  /** The file's id (hex), unique to this file. */
  id: string
  /** As the sender named it; checked (no path separators, control or bidi characters). */
  name: string
  size: number
  mediaType: string
  /** The sender's small JPEG preview of an image, as a data: URL. */
  preview: string | null
  /** The full image's size in pixels, when there is a preview. */
  width: number | null
  height: number | null
  state: FileState
}

/** A recorded voice note: Opus in WebM or Ogg (see VOICE_NOTE_MEDIA_TYPES). */
export type VoiceNoteMediaType = 'audio/vnd.cairn.voice+webm' | 'audio/vnd.cairn.voice+ogg'

export interface FileProgress {
  contact: ContactId
  /** The message that carries the file. */
  message: string
  state: FileState | 'cancelled' | 'sending'
  bytes: number
  size: number
  bytesPerSecond: number
  secondsLeft: number | null
  /** Why it failed, fit for a person. */
  error: string | null
}

/** One emoji per person per message. */
export interface Reactions {
  mine?: string
  theirs?: string
}

export interface HistoryQuery {
  /** At most this many messages (1..500, default 50). */
  limit?: number
  /** Page cursor from a previous HistoryPage; absent for the newest page. */
  before?: string
}

export interface HistoryPage {
  /** Newest first. */
  messages: Message[]
  /** Cursor for the next (older) page, or null when this page reaches the start of the conversation. */
  before: string | null
}

export interface NetworkStatus {
  mode: NetworkMode
  /** Open connections to peers (contacts and pending requests). */
  peers: number
  contactsOnline: number
  lanDiscovery: boolean
}

/** A one-time invite to hand to one person (see CairnApi.createInvite). */
export interface InviteCode {
  code: string
  /** When its inbox closes (ms since the epoch), if nobody has used it by then. */
  expiresAt: number
}

export interface Settings {
  name: string
  lanDiscovery: boolean
  /** My inbox is not announced: strangers cannot find me or see me online; only contacts reach me. */
  hidden: boolean
  /** Images and voice notes up to this many bytes download as they arrive; 0: none do. */
  autoDownloadBytes: number
}

export type SecurityKind =
  | 'log-fork' // a contact's log was rewritten: two different blocks at the same index
  | 'log-invalid' // a block failed signature or hash verification
  | 'decrypt-failed' // an envelope in the contact's log could not be authenticated
  | 'identity-mismatch' // a peer presented a key that is not the contact's
  | 'protocol-violation' // a malformed or hostile control frame
  | 'log-renewed' // the contact started a new log: their identity was restored from a backup on another device

export interface SecurityEvent {
  contact: ContactId
  kind: SecurityKind
  detail: string
  at: number
}

export interface SyncProgress {
  contact: ContactId
  /** Blocks of the contact's log processed so far in this catch-up, and the total known. */
  done: number
  total: number
}

export type CairnEvent =
  /** seq: see SequencedMessage; on every message event of a 1:1 conversation. */
  | { type: 'message'; message: Message; seq?: number }
  | { type: 'message-state'; contact: ContactId; id: string; state: MessageState }
  /** Messages deleted on this device (with their files): the listed ids, or every message of the conversation ('all'). */
  | { type: 'messages-deleted'; contact: ContactId; ids: string[] | 'all' }
  | { type: 'file-progress'; progress: FileProgress }
  | { type: 'contact'; contact: Contact }
  | { type: 'contact-removed'; id: ContactId }
  | { type: 'request'; request: ContactRequest }
  | { type: 'request-removed'; id: ContactId }
  | { type: 'typing'; contact: ContactId; typing: boolean }
  | { type: 'network'; status: NetworkStatus }
  | { type: 'security'; event: SecurityEvent }
  | { type: 'sync'; progress: SyncProgress }
  | { type: 'profile'; profile: Profile }
  | { type: 'locked' }
  | { type: 'call'; call: Call }
  | { type: 'call-ended'; call: Call; end: CallEnd }
  | { type: 'media'; call: string; frame: MediaFrame }
  | { type: 'keyframe-request'; call: string; stream: MediaKind }
  | { type: 'call-quality'; call: string; quality: CallQuality }
  | GroupEvent

/** Before a messenger is open: is there a profile in the folder, and is it unlocked? */
export interface AppState {
  profile: 'none' | 'locked' | 'unlocked'
  me: Profile | null
}

/** The whole client API. Every method is async and may reject with a CairnErrorShape. */
export interface CairnApi extends GroupApi {
  state(): Promise<AppState>
  create(name: string, passphrase: string): Promise<Profile>
  /**
   * A new profile for the identity in an exportIdentity() backup, only while state() is 'none'.
   * Contacts and history are not in the backup: contacts must be added again.
   */
  restore(backup: string, backupPassphrase: string, name: string, passphrase: string): Promise<Profile>
  unlock(passphrase: string): Promise<Profile>
  lock(): Promise<void>

  profile(): Promise<Profile>
  setName(name: string): Promise<Profile>
  safetyNumber(contact: ContactId): Promise<string>

  contacts(): Promise<Contact[]>
  addContact(id: ContactId, name: string): Promise<Contact>
  /**
   * A code that lets one person send me a contact request even while hidden: it opens a short-lived
   * inbox on this running node, closed by the first request or when it expires.
   */
  createInvite(): Promise<InviteCode>
  /** addContact, with the request sent through the person's invite instead of their inbox. */
  acceptInvite(code: string, name: string): Promise<Contact>
  renameContact(id: ContactId, name: string): Promise<Contact>
  /** Removes the contact with our whole history; `passphrase`: the profile's current one, proven first. */
  removeContact(passphrase: string, id: ContactId): Promise<void>
  blockContact(id: ContactId): Promise<void>
  unblockContact(id: ContactId): Promise<Contact>
  setVerified(id: ContactId, verified: boolean): Promise<Contact>

  requests(): Promise<ContactRequest[]>
  acceptRequest(id: ContactId, name?: string): Promise<Contact>
  declineRequest(id: ContactId): Promise<void>
  /** Decline and block: the requester can never reach this node again. */
  blockRequest(id: ContactId): Promise<void>

  /**
   * `replyTo`: the id of a message of this conversation to quote. `clientId`: the caller's id for
   * this send; a repeat with the same id stores and sends nothing new and returns the first one's
   * message, so a send whose outcome is unknown is retried safely (kept 7 days, 10,000 per contact).
   */
  send(contact: ContactId, text: string, replyTo?: string, clientId?: string): Promise<Message>
  /** Reacts to a message of the conversation with one emoji, replacing my earlier one; '' withdraws it. */
  react(contact: ContactId, message: string, emoji: string): Promise<Message>
  /** Replaces the text of one of my messages on both sides; the earlier text stays in my history. */
  edit(contact: ContactId, message: string, text: string): Promise<Message>
  history(contact: ContactId, query?: HistoryQuery): Promise<HistoryPage>
  /** The message events after number `since` (0: from the start), at most `limit` (1..500, default 500). */
  replayMessages(since: number, limit?: number): Promise<MessageReplay>
  /**
   * Messages holding every word of `text` (or words starting so), newest first, across every conversation or in one. The
   * index lives in memory only (built at unlock, dropped at lock); a deleted message leaves it at once.
   */
  search(text: string, query?: SearchQuery): Promise<SearchHit[]>
  markRead(contact: ContactId): Promise<void>
  /**
   * Deletes one message on this device, from the store and (within seconds) from the disk, and its
   * file's chunks with it.
   */
  deleteMessage(contact: ContactId, messageId: string): Promise<void>
  /**
   * Deletes every message of the conversation (and their files) on this device; the contact stays.
   * `passphrase`: the profile's current one, proven first.
   */
  clearConversation(passphrase: string, contact: ContactId): Promise<void>
  /** Deletes one of my messages on both sides (a "deleted" place stays), erased as deleteMessage erases. */
  deleteForEveryone(contact: ContactId, messageId: string): Promise<void>
  /** Disappearing messages on both sides: one of DISAPPEARING_SECONDS (0: off), for messages from now on. */
  setDisappearing(contact: ContactId, seconds: number): Promise<Contact>
  setTyping(contact: ContactId, typing: boolean): Promise<void>

  /** Sends a file from this node's disk (an image goes without its metadata, with a preview). */
  sendFile(contact: ContactId, path: string, name?: string): Promise<Message>
  /** For a user interface that cannot give a path: a file handed over in pieces, then sent. */
  beginUpload(size: number): Promise<string>
  /** One piece of an upload, base64, at most MAX_UPLOAD_PIECE_BYTES before encoding. */
  uploadPiece(upload: string, piece: string): Promise<void>
  /** `mediaType` only for a recorded voice note (VOICE_NOTE_MEDIA_TYPES); otherwise the node types the file. */
  sendUpload(contact: ContactId, upload: string, name: string, mediaType?: VoiceNoteMediaType): Promise<Message>
  /** Fetches a file into this node (kept encrypted), resolving once it is complete and checked. */
  downloadFile(contact: ContactId, message: string): Promise<void>
  cancelDownload(contact: ContactId, message: string): Promise<void>
  /** Decrypts a complete file into the folder, under a free safe name; resolves to its path. */
  saveFile(contact: ContactId, message: string, folder: string): Promise<string>
  /** Checks a complete file's hash, as saveFile does, for a page saving through readFile; a failed file is erased. */
  verifyFile(contact: ContactId, message: string): Promise<void>
  /** Bytes [start, start + length) of a file, base64, at most MAX_FILE_READ_BYTES. */
  readFile(contact: ContactId, message: string, start: number, length: number): Promise<string>
  /**
   * Sends the file of a message (with `contact`) to another contact, `to`: its sealed chunks are
   * copied as they are (an incoming file is downloaded first); resolves to the new message.
   */
  forwardFile(contact: ContactId, message: string, to: ContactId): Promise<Message>
  /** The file of one message as it stands now (for a shell serving its bytes). */
  fileInfo(contact: ContactId, message: string): Promise<FileInfo>

  network(): Promise<NetworkStatus>
  settings(): Promise<Settings>
  updateSettings(patch: Partial<Settings>): Promise<Settings>
  changePassphrase(current: string, next: string): Promise<void>
  /**
   * The identity secret sealed under a backup passphrase (Argon2id + XChaCha20-Poly1305), as text.
   * `passphrase`: the profile's current one, proven first ('wrong-passphrase' reveals nothing).
   */
  exportIdentity(passphrase: string, backupPassphrase: string): Promise<string>

  /** Rings a connected contact; rejects with 'busy' during another call, 'offline' when not connected. */
  startCall(contact: ContactId, video: boolean): Promise<Call>
  acceptCall(call: string, video: boolean): Promise<Call>
  declineCall(call: string): Promise<void>
  hangup(call: string): Promise<void>
  /** One encoded frame of the active call, to the other side. */
  sendMedia(call: string, frame: MediaFrame): Promise<void>
  /** Asks the other side for a keyframe (after a loss broke the picture). */
  requestKeyframe(call: string, stream: MediaKind): Promise<void>
  homeNode(): Promise<HomeNodeStatus>
  /** Links this profile to the home node whose one-time pairing code `cairn home init` printed. */
  linkHomeNode(code: string): Promise<HomeNodeStatus>
  /** The home node forgets this profile and refuses this device's key from now on. */
  unlinkHomeNode(): Promise<void>

}

export type ApiMethod = keyof CairnApi

/** My home node (Settings → Home node): whether one is linked, and what it says when reachable. */
export interface HomeNodeStatus {
  linked: boolean
  online: boolean
  /** The box's key in hex, null when none is linked. */
  box: string | null
  /** Bytes of my logs it holds, of its quota for me. */
  bytes: number
  quota: number
  logs: number
  /** Contact requests waiting there for me. */
  requests: number
  /** When this device last brought it up to date (ms since epoch), null if never since start. */
  lastSync: number | null
}

export type ErrorCode =
  | 'invalid-argument' // an argument is missing, of the wrong type or out of range
  | 'invalid-contact-id' // a contact ID is malformed; the message says what is wrong
  | 'no-profile'
  | 'profile-exists'
  | 'locked' // the call needs an unlocked profile
  | 'wrong-passphrase'
  | 'corrupt-profile'
  | 'profile-busy' // another process holds this profile
  | 'not-found' // no such contact, request, message or file
  | 'file-refused' // a file cannot be fetched, read or saved; the message says why (bad chunk, hash, size, name)
  | 'blocked'
  | 'self' // the ID is my own
  | 'busy' // already in a call
  | 'offline' // the contact is not connected
  | 'unauthorized' // transport-level: bad token, origin or sender
  | 'home-node' // the home node refused, or could not be reached; the message says which
  | 'internal'

/** How an error crosses a transport. */
export interface CairnErrorShape {
  code: ErrorCode
  message: string
}

/** One frame of the request/response/event protocol shared by every transport. */
export type WireFrame =
  | { kind: 'request'; id: number; method: ApiMethod; args: unknown[] }
  | { kind: 'response'; id: number; ok: true; result: unknown }
  | { kind: 'response'; id: number; ok: false; error: CairnErrorShape }
  | { kind: 'event'; event: CairnEvent }

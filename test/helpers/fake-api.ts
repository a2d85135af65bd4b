// An in-memory CairnApi with the core's observable behaviour (passphrase check, contact IDs and
// safety numbers from the core's own code, history paging newest first, events), for component tests
// and the renderer's visual check. The real core is exercised by the browser tests.
import type { ApiClient } from '../../core/api/client'
import { CairnError } from '../../core/api/errors'
import type {
  SearchHit,
  SearchQuery,
  AppState,
  Call,
  MediaFrame,
  MediaKind,
  CairnApi,
  CairnEvent,
  MessageReplay,
  Contact,
  ContactId,
  ContactRequest,
  HistoryPage,
  HistoryQuery,
  InviteCode,
  Message,
  NetworkStatus,
  HomeNodeStatus,
  Profile,
  Settings,
  FileInfo,
  VoiceNoteMediaType,
  GroupHistoryPage,
  GroupId,
  GroupInfo,
  GroupMessage,
  GroupReceipts
} from '../../core/api/types'
import { checkId, fakeId, safetyNumberOf } from './contact-ids'

export { fakeId }

export class FakeApi implements CairnApi {
  readonly listeners = new Set<(e: CairnEvent) => void>()
  readonly calls: { method: keyof CairnApi; args: unknown[] }[] = []
  me: Profile | null = null
  passphrase = ''
  unlocked = false
  contactsById = new Map<ContactId, Contact>()
  pendingRequests = new Map<ContactId, ContactRequest>()
  /** Oldest first, per contact. */
  logs = new Map<ContactId, Message[]>()
  net: NetworkStatus = { mode: 'internet', peers: 0, contactsOnline: 0, lanDiscovery: true }
  hidden = false
  autoDownloadBytes = 8 * 1024 * 1024
  private nextId = 1

  emit(e: CairnEvent): void {
    for (const cb of this.listeners) cb(e)
  }

  client(): ApiClient {
    const closeListeners = new Set<() => void>()
    const close = () => {
      this.listeners.clear()
      const toCall = [...closeListeners]
      closeListeners.clear()
      for (const cb of toCall) cb()
    }
    this.drop = close
    return {
      api: this,
      onEvent: (cb) => {
        this.listeners.add(cb)
        return () => this.listeners.delete(cb)
      },
      onClose: (cb) => {
        closeListeners.add(cb)
        return () => closeListeners.delete(cb)
      },
      receive: () => {},
      close
    }
  }

  /** Closes the latest client as a dropped transport would. */
  drop: () => void = () => {}

  private record(method: keyof CairnApi, args: unknown[]): void {
    this.calls.push({ method, args })
  }

  private open(): Profile {
    if (!this.me) throw new CairnError('no-profile', 'there is no profile in this folder')
    if (!this.unlocked) throw new CairnError('locked', 'the profile is locked')
    return this.me
  }

  private contactOrThrow(id: ContactId): Contact {
    this.open()
    const c = this.contactsById.get(id)
    if (!c) throw new CairnError('not-found', 'no such contact')
    return c
  }

  private putContact(c: Contact): Contact {
    this.contactsById.set(c.id, c)
    this.emit({ type: 'contact', contact: c })
    return c
  }

  async state(): Promise<AppState> {
    return { profile: !this.me ? 'none' : this.unlocked ? 'unlocked' : 'locked', me: this.unlocked ? this.me : null }
  }

  async create(name: string, passphrase: string): Promise<Profile> {
    this.record('create', [name, passphrase])
    if (this.me) throw new CairnError('profile-exists', 'a profile already exists in this folder')
    this.me = { id: fakeId(name), name }
    this.passphrase = passphrase
    this.unlocked = true
    return this.me
  }

  /** Reads what the fake exportIdentity writes: the backup passphrase's length and the ID. */
  async restore(backup: string, backupPassphrase: string, name: string, passphrase: string): Promise<Profile> {
    this.record('restore', [backup, backupPassphrase, name, passphrase])
    if (this.me) throw new CairnError('profile-exists', 'a profile already exists in this folder')
    const prefix = 'cairn-backup-v1:'
    if (!backup.trim().startsWith(prefix)) throw new CairnError('invalid-argument', `not a Cairn backup: it must start with "${prefix}"`)
    let body: string
    try {
      body = atob(backup.trim().slice(prefix.length))
    } catch {
      throw new CairnError('invalid-argument', 'the backup text is damaged: it is not valid base64')
    }
    const [length, id] = body.split(':')
    if (Number(length) !== backupPassphrase.length || !id) throw new CairnError('wrong-passphrase', 'wrong passphrase')
    this.me = { id, name }
    this.passphrase = passphrase
    this.unlocked = true
    return this.me
  }

  async unlock(passphrase: string): Promise<Profile> {
    this.record('unlock', [passphrase])
    if (!this.me) throw new CairnError('no-profile', 'there is no profile in this folder')
    if (passphrase !== this.passphrase) throw new CairnError('wrong-passphrase', 'wrong passphrase')
    this.unlocked = true
    return this.me
  }

  async lock(): Promise<void> {
    this.unlocked = false
    this.emit({ type: 'locked' })
  }

  async profile(): Promise<Profile> {
    return this.open()
  }

  async setName(name: string): Promise<Profile> {
    this.me = { ...this.open(), name }
    this.emit({ type: 'profile', profile: this.me })
    return this.me
  }

  async safetyNumber(contact: ContactId): Promise<string> {
    this.contactOrThrow(contact)
    return safetyNumberOf(contact, this.open().id)
  }

  async contacts(): Promise<Contact[]> {
    this.open()
    return [...this.contactsById.values()]
  }

  async addContact(id: ContactId, name: string): Promise<Contact> {
    this.record('addContact', [id, name])
    const me = this.open()
    checkId(id)
    if (id === me.id) throw new CairnError('self', 'that is your own contact ID')
    return this.putNewContact(id, name, 'offline', null)
  }

  // The fake's invite code is the prefix and the inviter's ID; the real one is in core/protocol/invite.ts.
  async createInvite(): Promise<InviteCode> {
    this.record('createInvite', [])
    return { code: `cairn-invite:${this.open().id}`, expiresAt: Date.now() + 15 * 60_000 }
  }

  async acceptInvite(code: string, name: string): Promise<Contact> {
    this.record('acceptInvite', [code, name])
    const id = code.trim().replace(/^cairn-invite:/, '')
    if (id === code.trim()) throw new CairnError('invalid-argument', 'not an invite code: it does not start with cairn-invite:')
    return this.addContact(id, name)
  }

  /** A contact as it stands when added: no messages, unverified, unblocked, active now. */
  private putNewContact(id: ContactId, name: string, presence: Contact['presence'], announcedName: string | null): Contact {
    const now = Date.now()
    return this.putContact({
      id,
      name,
      presence,
      blocked: false,
      verified: false,
      unread: 0,
      lastMessage: null,
      lastActivity: now,
      addedAt: now,
      announcedName
    })
  }

  async renameContact(id: ContactId, name: string): Promise<Contact> {
    return this.putContact({ ...this.contactOrThrow(id), name })
  }

  async removeContact(passphrase: string, id: ContactId): Promise<void> {
    this.record('removeContact', [id])
    this.proveOrThrow(passphrase)
    this.contactOrThrow(id)
    this.contactsById.delete(id)
    this.emit({ type: 'contact-removed', id })
  }

  async blockContact(id: ContactId): Promise<void> {
    this.putContact({ ...this.contactOrThrow(id), blocked: true })
  }

  async unblockContact(id: ContactId): Promise<Contact> {
    return this.putContact({ ...this.contactOrThrow(id), blocked: false })
  }

  async setVerified(id: ContactId, verified: boolean): Promise<Contact> {
    return this.putContact({ ...this.contactOrThrow(id), verified })
  }

  async requests(): Promise<ContactRequest[]> {
    this.open()
    return [...this.pendingRequests.values()]
  }

  private takeRequest(id: ContactId): ContactRequest {
    this.open()
    const r = this.pendingRequests.get(id)
    if (!r) throw new CairnError('not-found', 'no such request')
    this.pendingRequests.delete(id)
    this.emit({ type: 'request-removed', id })
    return r
  }

  async acceptRequest(id: ContactId, name?: string): Promise<Contact> {
    const r = this.takeRequest(id)
    return this.putNewContact(id, name ?? r.name, 'online', r.name)
  }

  async declineRequest(id: ContactId): Promise<void> {
    this.takeRequest(id)
  }

  async blockRequest(id: ContactId): Promise<void> {
    this.takeRequest(id)
  }

  async send(contact: ContactId, text: string): Promise<Message> {
    this.record('send', [contact, text])
    this.contactOrThrow(contact)
    const now = Date.now()
    const message: Message = {
      id: `m${this.nextId++}`,
      contact,
      direction: 'out',
      text,
      sentAt: now,
      receivedAt: now,
      state: 'pending'
    }
    this.append(message)
    return message
  }

  async edit(contact: ContactId, id: string, text: string): Promise<Message> {
    this.record('edit', [contact, id, text])
    this.contactOrThrow(contact)
    const log = this.logs.get(contact) ?? []
    const i = log.findIndex((m) => m.id === id && m.direction === 'out')
    if (i === -1) throw new CairnError('not-found', 'no such message of mine in this conversation')
    log[i] = { ...log[i], text, edited: true, edits: [...(log[i].edits ?? []), log[i].text] }
    this.emit({ type: 'message', message: log[i] })
    return log[i]
  }

  async react(contact: ContactId, id: string, emoji: string): Promise<Message> {
    this.record('react', [contact, id, emoji])
    this.contactOrThrow(contact)
    const log = this.logs.get(contact) ?? []
    const i = log.findIndex((m) => m.id === id)
    if (i === -1) throw new CairnError('not-found', 'no such message in this conversation')
    const reactions = { ...log[i].reactions, mine: emoji || undefined }
    log[i] = { ...log[i], reactions }
    this.emit({ type: 'message', message: log[i] })
    return log[i]
  }

  /** Stores a message as the core would have (for seeding and for simulating the other side). */
  append(message: Message): void {
    const log = this.logs.get(message.contact) ?? []
    log.push(message)
    this.logs.set(message.contact, log)
    const c = this.contactsById.get(message.contact)
    if (c) {
      this.contactsById.set(c.id, {
        ...c,
        lastMessage: { direction: message.direction, text: message.text, at: message.sentAt },
        lastActivity: Math.max(c.lastActivity, message.receivedAt),
        unread: c.unread + (message.direction === 'in' && message.state !== 'read' ? 1 : 0)
      })
    }
  }

  // ---- files: uploads are kept whole in memory; a sent file is ready at once ----

  private readonly uploadsById = new Map<string, { size: number; pieces: Buffer[] }>()
  readonly fileBytes = new Map<string, Buffer>()

  async sendFile(contact: ContactId, path: string, name?: string): Promise<Message> {
    this.record('sendFile', [contact, path, name])
    throw new CairnError('not-found', `no file at ${path}`)
  }

  async beginUpload(size: number): Promise<string> {
    this.record('beginUpload', [size])
    const id = `u${this.nextId++}`
    this.uploadsById.set(id, { size, pieces: [] })
    return id
  }

  async uploadPiece(upload: string, piece: string): Promise<void> {
    this.record('uploadPiece', [upload, piece.length])
    this.uploadsById.get(upload)?.pieces.push(Buffer.from(piece, 'base64'))
  }

  async sendUpload(contact: ContactId, upload: string, name: string, mediaType?: VoiceNoteMediaType): Promise<Message> {
    this.record('sendUpload', [contact, upload, name, mediaType])
    const u = this.uploadsById.get(upload)
    if (!u) throw new CairnError('not-found', 'no such upload')
    this.uploadsById.delete(upload)
    const bytes = Buffer.concat(u.pieces)
    const now = Date.now()
    const id = `m${this.nextId++}`
    this.fileBytes.set(id, bytes)
    const message: Message = {
      id,
      contact,
      direction: 'out',
      text: '',
      sentAt: now,
      receivedAt: now,
      state: 'pending',
      file: { id: `f${id}`, name, size: bytes.length, mediaType: mediaType ?? 'application/octet-stream', preview: null, width: null, height: null, state: 'ready' }
    }
    this.append(message)
    return message
  }

  async verifyFile(contact: ContactId, message: string): Promise<void> {
    this.record('verifyFile', [contact, message])
  }

  async fileInfo(contact: ContactId, message: string): Promise<FileInfo> {
    this.record('fileInfo', [contact, message])
    const file = (this.logs.get(contact) ?? []).find((m) => m.id === message)?.file
    if (!file) throw new CairnError('not-found', 'the message carries no file')
    return file
  }

  async forwardFile(contact: ContactId, message: string, to: ContactId): Promise<Message> {
    this.record('forwardFile', [contact, message, to])
    const original = (this.logs.get(contact) ?? []).find((m) => m.id === message)
    if (!original?.file) throw new CairnError('not-found', 'the message carries no file')
    this.contactOrThrow(to)
    const now = Date.now()
    const id = `m${this.nextId++}`
    this.fileBytes.set(id, this.fileBytes.get(message) ?? Buffer.alloc(0))
    const copy: Message = { id, contact: to, direction: 'out', text: '', sentAt: now, receivedAt: now, state: 'pending', file: { ...original.file, state: 'ready' } }
    this.append(copy)
    return copy
  }

  async downloadFile(contact: ContactId, message: string): Promise<void> {
    this.record('downloadFile', [contact, message])
  }

  async cancelDownload(contact: ContactId, message: string): Promise<void> {
    this.record('cancelDownload', [contact, message])
  }

  async saveFile(contact: ContactId, message: string, folder: string): Promise<string> {
    this.record('saveFile', [contact, message, folder])
    return `${folder}/${message}`
  }

  async readFile(contact: ContactId, message: string, start: number, length: number): Promise<string> {
    this.record('readFile', [contact, message, start, length])
    return (this.fileBytes.get(message) ?? Buffer.alloc(0)).subarray(start, start + length).toString('base64')
  }

  receive(contact: ContactId, text: string, at = Date.now()): Message {
    const message: Message = {
      id: `m${this.nextId++}`,
      contact,
      direction: 'in',
      text,
      sentAt: at,
      receivedAt: at,
      state: 'delivered'
    }
    this.append(message)
    this.emit({ type: 'message', message })
    const c = this.contactsById.get(contact)
    if (c) this.emit({ type: 'contact', contact: c })
    return message
  }

  async history(contact: ContactId, query: HistoryQuery = {}): Promise<HistoryPage> {
    this.record('history', [contact, query])
    this.contactOrThrow(contact)
    const log = this.logs.get(contact) ?? []
    const limit = query.limit ?? 50
    const end = query.before === undefined ? log.length : Number(query.before)
    const start = Math.max(0, end - limit)
    return { messages: log.slice(start, end).reverse(), before: start > 0 ? String(start) : null }
  }

  /** The renderer does not replay: the fake keeps no event sequence. */
  async replayMessages(since: number, limit?: number): Promise<MessageReplay> {
    this.record('replayMessages', [since, limit])
    return { events: [], more: false }
  }

  /** Every word as a case-insensitive substring: enough for components, not the core's matching. */
  async search(text: string, query: SearchQuery = {}): Promise<SearchHit[]> {
    this.record('search', [text, query])
    if (query.contact !== undefined) this.contactOrThrow(query.contact)
    const words = text.toLowerCase().split(/\s+/).filter((w) => w !== '')
    const hits: SearchHit[] = []
    for (const [contact, log] of this.logs) {
      if (query.contact !== undefined && contact !== query.contact) continue
      for (const m of log) {
        const lower = m.text.toLowerCase()
        if (words.length === 0 || !words.every((w) => lower.includes(w))) continue
        const highlights = words.map((w): [number, number] => [lower.indexOf(w), lower.indexOf(w) + w.length])
        hits.push({ contact, message: m.id, direction: m.direction, sentAt: m.sentAt, snippet: m.text, highlights })
      }
    }
    return hits.sort((a, b) => b.sentAt - a.sentAt).slice(0, query.limit ?? 50)
  }

  async markRead(contact: ContactId): Promise<void> {
    this.record('markRead', [contact])
    const c = this.contactOrThrow(contact)
    if (c.unread > 0) this.putContact({ ...c, unread: 0 })
  }

  async deleteMessage(contact: ContactId, messageId: string): Promise<void> {
    this.record('deleteMessage', [contact, messageId])
    this.contactOrThrow(contact)
    const log = this.logs.get(contact) ?? []
    if (!log.some((m) => m.id === messageId)) throw new CairnError('not-found', `no message ${messageId}`)
    this.logs.set(contact, log.filter((m) => m.id !== messageId))
    this.fileBytes.delete(messageId)
    this.emit({ type: 'messages-deleted', contact, ids: [messageId] })
  }

  async clearConversation(passphrase: string, contact: ContactId): Promise<void> {
    this.record('clearConversation', [contact])
    this.proveOrThrow(passphrase)
    this.contactOrThrow(contact)
    this.logs.set(contact, [])
    this.emit({ type: 'messages-deleted', contact, ids: 'all' })
  }

  async deleteForEveryone(contact: ContactId, messageId: string): Promise<void> {
    this.record('deleteForEveryone', [contact, messageId])
    this.contactOrThrow(contact)
    const log = this.logs.get(contact) ?? []
    const i = log.findIndex((m) => m.id === messageId && m.direction === 'out')
    if (i === -1) throw new CairnError('not-found', 'no such message of mine in this conversation')
    const { id, direction, sentAt, receivedAt, state } = log[i]
    log[i] = { id, contact, direction, sentAt, receivedAt, state, text: '', deleted: true }
    this.emit({ type: 'message', message: log[i] })
  }

  async setDisappearing(contact: ContactId, seconds: number): Promise<Contact> {
    this.record('setDisappearing', [contact, seconds])
    const { disappearing: _off, ...c } = this.contactOrThrow(contact)
    const updated: Contact = seconds === 0 ? c : { ...c, disappearing: seconds }
    this.putContact(updated)
    const now = Date.now()
    this.append({ id: `m${this.nextId++}`, contact, direction: 'out', text: '', sentAt: now, receivedAt: now, state: 'sent', timer: seconds })
    return updated
  }

  async setTyping(contact: ContactId, typing: boolean): Promise<void> {
    this.record('setTyping', [contact, typing])
    this.contactOrThrow(contact)
  }

  async network(): Promise<NetworkStatus> {
    return this.net
  }

  async settings(): Promise<Settings> {
    return { name: this.open().name, lanDiscovery: this.net.lanDiscovery, hidden: this.hidden, autoDownloadBytes: this.autoDownloadBytes }
  }

  async updateSettings(patch: Partial<Settings>): Promise<Settings> {
    if (patch.lanDiscovery !== undefined) this.net = { ...this.net, lanDiscovery: patch.lanDiscovery }
    if (patch.hidden !== undefined) this.hidden = patch.hidden
    if (patch.autoDownloadBytes !== undefined) this.autoDownloadBytes = patch.autoDownloadBytes
    if (patch.name !== undefined) await this.setName(patch.name)
    return this.settings()
  }

  private proveOrThrow(passphrase: string): void {
    if (passphrase !== this.passphrase) throw new CairnError('wrong-passphrase', 'wrong passphrase')
  }

  async changePassphrase(current: string, next: string): Promise<void> {
    this.open()
    if (current !== this.passphrase) throw new CairnError('wrong-passphrase', 'wrong passphrase')
    this.passphrase = next
  }

  async exportIdentity(passphrase: string, backupPassphrase: string): Promise<string> {
    this.open()
    this.proveOrThrow(passphrase)
    return `cairn-backup-v1:${btoa(backupPassphrase.length + ':' + this.open().id)}`
  }

  // Calls: the fake has no network, so a call rings and stays there until the test emits events.
  activeCalls = new Map<string, Call>()

  async startCall(contact: ContactId, video: boolean): Promise<Call> {
    this.record('startCall', [contact, video])
    this.open()
    const c = this.contactsById.get(contact)
    if (!c) throw new CairnError('not-found', 'no such contact')
    if (c.presence === 'offline') throw new CairnError('offline', 'the contact is not connected')
    const call: Call = { id: (this.nextId++).toString(16).padStart(32, '0'), contact, direction: 'out', video, phase: 'calling', sas: null }
    this.activeCalls.set(call.id, call)
    return call
  }

  async acceptCall(id: string, video: boolean): Promise<Call> {
    this.record('acceptCall', [id, video])
    const call = this.activeCalls.get(id)
    if (!call) throw new CairnError('not-found', 'no such call')
    const active: Call = { ...call, video, phase: 'active', sas: ['acid', 'acorn', 'actor', 'adult'] }
    this.activeCalls.set(id, active)
    return active
  }

  async declineCall(id: string): Promise<void> {
    this.record('declineCall', [id])
    this.activeCalls.delete(id)
  }

  async hangup(id: string): Promise<void> {
    this.record('hangup', [id])
    this.activeCalls.delete(id)
  }

  async sendMedia(id: string, frame: MediaFrame): Promise<void> {
    this.record('sendMedia', [id, frame])
  }

  async requestKeyframe(id: string, stream: MediaKind): Promise<void> {
    this.record('requestKeyframe', [id, stream])
  }

  /** The home node as the fake sees it; a code starting with "good" pairs, any other is refused. */
  home: HomeNodeStatus = { linked: false, online: false, box: null, bytes: 0, quota: 0, logs: 0, requests: 0, lastSync: null }

  async homeNode(): Promise<HomeNodeStatus> {
    this.open()
    return this.home
  }

  async linkHomeNode(code: string): Promise<HomeNodeStatus> {
    this.record('linkHomeNode', [code])
    this.open()
    if (!code.startsWith('good')) throw new CairnError('home-node', 'the pairing code is not one this home node issued, or it was already used')
    this.home = { linked: true, online: true, box: 'ab'.repeat(32), bytes: 2048, quota: 1 << 30, logs: 2, requests: 0, lastSync: Date.now() }
    return this.home
  }

  async unlinkHomeNode(): Promise<void> {
    this.record('unlinkHomeNode', [])
    this.open()
    this.home = { linked: false, online: false, box: null, bytes: 0, quota: 0, logs: 0, requests: 0, lastSync: null }
  }

  // ---- groups: one member (me) and whoever was invited, who "join" at once ----

  groupsById = new Map<GroupId, GroupInfo>()
  groupLines = new Map<GroupId, GroupMessage[]>()

  private groupOf(id: GroupId): GroupInfo {
    this.open()
    const g = this.groupsById.get(id)
    if (!g) throw new CairnError('not-found', 'no such group')
    return g
  }

  private groupLine(g: GroupInfo, text: string, kind: 'text' | 'system'): GroupMessage {
    const lines = this.groupLines.get(g.id) ?? []
    const me = this.open()
    const line: GroupMessage = {
      id: `g-${this.nextId++}`, group: g.id, author: me.id, authorName: 'You', direction: 'out', kind, text,
      sentAt: kind === 'text' ? Date.now() : 0, unreadable: false, delivered: 0, read: 0, of: g.members.length - 1
    }
    lines.push(line)
    this.groupLines.set(g.id, lines)
    this.emit({ type: 'group-message', message: line })
    return line
  }

  private groupChanged(g: GroupInfo): GroupInfo {
    this.emit({ type: 'group', group: g })
    return g
  }

  async groups(): Promise<GroupInfo[]> {
    this.open()
    return [...this.groupsById.values()]
  }

  async createGroup(name: string, members: ContactId[]): Promise<GroupInfo> {
    this.record('createGroup', [name, members])
    const me = this.open()
    const id = (this.nextId++).toString(16).padStart(64, '0')
    const now = Date.now()
    const g: GroupInfo = {
      id, name, status: 'member', admin: true, unread: 0, lastMessage: null, lastActivity: now, createdAt: now,
      members: [{ id: me.id, name: 'You', role: 'admin', me: true, contact: false, verified: false }]
    }
    this.groupsById.set(id, g)
    this.groupLine(g, `You created the group “${name}”`, 'system')
    return this.inviteToGroup(id, members)
  }

  async inviteToGroup(group: GroupId, members: ContactId[]): Promise<GroupInfo> {
    this.record('inviteToGroup', [group, members])
    const g = this.groupOf(group)
    for (const id of members) {
      const c = this.contactsById.get(id)
      if (!c) throw new CairnError('not-found', 'no such contact')
      g.members.push({ id, name: c.name, role: 'member', me: false, contact: true, verified: c.verified })
      this.groupLine(g, `You added ${c.name}`, 'system')
    }
    return this.groupChanged(g)
  }

  async removeFromGroup(group: GroupId, member: ContactId): Promise<GroupInfo> {
    this.record('removeFromGroup', [group, member])
    const g = this.groupOf(group)
    const m = g.members.find((x) => x.id === member)
    if (!m) throw new CairnError('not-found', 'no such member in this group')
    g.members = g.members.filter((x) => x !== m)
    this.groupLine(g, `You removed ${m.name}`, 'system')
    return this.groupChanged(g)
  }

  async leaveGroup(group: GroupId): Promise<GroupInfo> {
    this.record('leaveGroup', [group])
    const g = this.groupOf(group)
    g.status = 'left'
    g.members = g.members.filter((x) => !x.me)
    this.groupLine(g, 'You left', 'system')
    return this.groupChanged(g)
  }

  async renameGroup(group: GroupId, name: string): Promise<GroupInfo> {
    this.record('renameGroup', [group, name])
    const g = this.groupOf(group)
    g.name = name
    this.groupLine(g, `You renamed the group to “${name}”`, 'system')
    return this.groupChanged(g)
  }

  async sendToGroup(group: GroupId, text: string): Promise<GroupMessage> {
    this.record('sendToGroup', [group, text])
    const g = this.groupOf(group)
    const line = this.groupLine(g, text, 'text')
    g.lastMessage = { direction: 'out', text, at: line.sentAt }
    return line
  }

  async groupHistory(group: GroupId, query: HistoryQuery = {}): Promise<GroupHistoryPage> {
    this.groupOf(group)
    const lines = this.groupLines.get(group) ?? []
    return { messages: lines.slice(-(query.limit ?? 50)).reverse(), before: null }
  }

  async markGroupRead(group: GroupId): Promise<void> {
    this.record('markGroupRead', [group])
    this.groupOf(group).unread = 0
  }

  async groupReceipts(group: GroupId, message: string): Promise<GroupReceipts> {
    const g = this.groupOf(group)
    if (!(this.groupLines.get(group) ?? []).some((l) => l.id === message)) throw new CairnError('not-found', 'no such message in this group')
    return { delivered: [], read: [], of: g.members.length - 1 }
  }
}

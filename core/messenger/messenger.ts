import { EventEmitter } from 'node:events'
import type Corestore from 'corestore'
import type { Contact, ContactId, ContactRequest, HistoryPage, HistoryQuery, InviteCode, Message, NetworkStatus, Profile, Settings } from '../api/types'
import { randomBytes } from '../crypto'
import { ContactKey, exportBackup, safetyNumber, type KeystoreSecrets } from '../identity'
import type { Network, Peer } from '../net'
import type { RequestFrame } from '../net/frames'
import { encodeInvite, INVITE_SECRET_BYTES } from '../protocol/invite'
import type { SignedPrekey } from '../ratchet'
import { keys, type Store } from '../store'
import type { StoreEpochs } from '../store/epochs'
import { Calls } from './calls'
import { Conversation } from './conversation'
import type { ConversationDeps } from './deps'
import type { Directory } from './directory'
import { EventSink } from './events'
import { LanSwitch } from './lan-switch'
import { cleanName } from './names'
import type { PrekeyPolicy } from './prekey-schedule'
import { PrekeyRotation } from './prekey-rotation'
import type { ContactRecord, FormerRecord, MessageRecord, MetaRecord } from './records'
import { ContactRequests, inviteOf } from './requests'
import { Self } from './self'
import { HomeNodes } from './home-node'
import type { HomeLink } from '../home'
import type { HostPort } from 'hyperdht'
import type { FilesConfig } from './conversation-files'
import { MessengerFiles } from './messenger-files'
import { Erasure } from './erasure'
import type { OneTimeSupply } from './one-time-supply'
import { groupChatsOf, type GroupChats } from './group-chats'
import { historyPage } from './history'
import { MessageEvents, unstampEvent } from './message-events'
import { forgetClientIds } from './client-ids'
import { MessageSearch } from '../search'

// An invite opens an inbox for this long: enough to pass a code on, short enough not to be a beacon.
const INVITE_TTL_MS = 15 * 60_000

export interface MessengerParts {
  secrets: KeystoreSecrets
  corestore: Corestore
  store: Store
  /** The store's epochs: a deletion ends the current one so the deleted data leaves the disk. */
  epochs: StoreEpochs
  meta: MetaRecord
  prekeys: Map<number, SignedPrekey>
  oneTime: OneTimeSupply
  /** Made first: the network's firewall already asks it. */
  directory: Directory
  network: Network
  lanDiscovery: boolean
  /** This run is kept off the LAN by its shell (--no-lan, a one-shot command): a stored change waits for the next run. */
  lanPinned?: boolean
  files: FilesConfig
  /** The time the prekey schedule and disappearing messages go by (tests move it). */
  clock?: () => number
  /** How often a running node erases expired messages (see Erasure). */
  expiryCheckMs?: number
  prekeyPolicy?: PrekeyPolicy
  /** False on a node with no one to ring (the headless CLI); default true. */
  canTakeCalls?: boolean
  /** My home node link (from the profile folder), and the bootstrap my home connections use. */
  homeLink?: HomeLink | null
  bootstrap?: HostPort[]
  profileDir?: string
}

/**
 * One open profile: contacts, requests, conversations over the two logs of each pair, and the
 * network that carries them. Emits 'event' (CairnEvent). Every public method validates its input
 * and rejects with a CairnError; nothing a peer sends can throw out of an event handler.
 */
export class Messenger extends EventEmitter {
  readonly id: ContactId
  private readonly self: Self
  private readonly events: EventSink
  private readonly corestore: Corestore
  private readonly store: Store
  private readonly epochs: StoreEpochs
  private readonly network: Network
  private readonly directory: Directory
  private readonly conversationDeps: ConversationDeps
  private readonly requests: ContactRequests
  private readonly lan: LanSwitch
  private readonly prekeyRotation: PrekeyRotation
  /** The parts that serve the API's calls, home node, files and search methods (core/host forwards to them). */
  readonly finder: MessageSearch
  readonly calls: Calls
  readonly home: HomeNodes
  readonly files: MessengerFiles
  /** Deletions, for everyone too, and disappearing messages. */
  readonly erasure: Erasure
  readonly groups: GroupChats
  /** The durable message events, for the API's replayMessages. */
  readonly journal: MessageEvents
  private closing: Promise<void> | null = null
  private readonly lanPinned: boolean

  constructor(parts: MessengerParts) {
    super()
    const { store, network, directory } = parts
    const events = new EventSink(this)
    const self = new Self(parts.secrets, parts.meta, parts.prekeys, store, parts.oneTime)
    this.self = self
    this.events = events
    this.corestore = parts.corestore
    this.store = store
    this.epochs = parts.epochs
    this.lanPinned = parts.lanPinned ?? false
    this.network = network
    this.directory = directory
    const calls = new Calls({ identity: self.identity, directory, events, now: parts.clock ?? Date.now, canTakeCalls: parts.canTakeCalls ?? true })
    this.calls = calls
    this.conversationDeps = {
      store,
      corestore: parts.corestore,
      identity: self.identity,
      events,
      files: parts.files,
      prekey: (id) => self.prekey(id),
      oneTime: (id) => self.oneTime.get(id),
      oneTimeUsed: (ids) => self.oneTime.used(ids),
      me: () => ({ name: self.name, bundle: self.bundle() }),
      knownLog: (key) => directory.knownLog(key),
      listed: (c) => directory.isListed(c),
      met: (key) => void network.cancelRequest(key),
      calls,
      homeBox: () => this.home.box, logAdopted: () => void this.home.sync(),
      now: parts.clock ?? Date.now,
      erase: () => parts.epochs.advance(),
      groupSignals: (c) => this.groups.onSignals(c)
    }
    this.requests = new ContactRequests({
      store,
      directory,
      network,
      self,
      events,
      conversation: (rec, tag) => new Conversation(this.conversationDeps, rec, tag)
    })
    this.lan = new LanSwitch({ network, directory, events }, parts.lanDiscovery)
    this.prekeyRotation = new PrekeyRotation({ self, directory, network, events, erase: () => parts.epochs.advance() }, parts.clock, parts.prekeyPolicy)
    this.id = ContactKey.fromBytes(self.identity.publicKey).id
    this.home = new HomeNodes({
      self,
      link: parts.homeLink ?? null,
      bootstrap: parts.bootstrap, profileDir: parts.profileDir ?? '',
      conversations: () => directory.conversations(),
      introduced: (intro) => this.requests.onIntroduction(intro),
      log: (message) => console.warn(`[cairn/home] ${message}`)
    })
    this.erasure = new Erasure({ store, epochs: parts.epochs, directory, events, clock: parts.clock ?? Date.now, checkMs: parts.expiryCheckMs })
    this.files = new MessengerFiles(directory, parts.files, (bytes) => self.saveMeta({ ...self.meta, autoDownloadBytes: bytes }))
    this.groups = groupChatsOf({ store, corestore: parts.corestore, events, directory, self, network })
    this.journal = new MessageEvents(store, () => directory.conversations())
    this.finder = new MessageSearch(this, (id) => directory.require(id))
  }

  /** Loads contacts and requests, repairs interrupted sends, and joins the network. */
  async start(): Promise<void> {
    const { events, directory, network } = this
    await directory.loadRequests(this.store)
    // Read every contact before writing anything: a write may end the store epoch, whose move waits
    // for the reads still open on the former core, and a read held open across it would never end.
    const contacts: { rec: ContactRecord; tag: Buffer }[] = []
    for await (const { key, value } of this.store.range(keys.contacts())) {
      contacts.push({ rec: JSON.parse(value.toString('utf8')) as ContactRecord, tag: key.subarray(1) })
    }
    for (const { rec, tag } of contacts) {
      const c = new Conversation(this.conversationDeps, rec, tag)
      directory.list(c)
      await c.ready()
      c.resumeAppends()
      await c.sealQueued()
    }
    await this.erasure.start()
    network.on('peer', (peer: Peer) => events.guard(() => this.onPeer(peer)))
    network.on('request', (pk: Buffer, req: RequestFrame) => events.guard(() => this.requests.onRequest(ContactKey.fromBytes(pk), req)))
    network.on('status', () => this.lan.emitStatus())
    network.on('protocol-error', (pk: Buffer, reason: string) => {
      directory.conversation(ContactKey.fromBytes(pk))?.security('protocol-violation', `a control frame was refused: ${reason}`)
    })
    network.on('flood', (pk: Buffer, detail: string) => directory.conversation(ContactKey.fromBytes(pk))?.security('protocol-violation', detail))
    await this.prekeyRotation.start()
    await network.ready()
    await this.lan.start()
    await this.groups.start()
    for (const c of directory.conversations()) {
      if (c.record.blocked) continue
      network.addContact(c.key)
      if (c.record.requested) network.sendRequest(c.key, this.self.request(), inviteOf(c.record))
    }
    void this.home.sync()
  }

  // ---- profile and settings ----

  profile(): Profile {
    return { id: this.id, name: this.self.name }
  }

  async setName(name: string): Promise<Profile> {
    await this.self.saveMeta({ ...this.self.meta, name: cleanName(name, 'name') })
    const profile = this.profile()
    for (const c of this.directory.conversations()) c.sendHello()
    this.events.emit({ type: 'profile', profile })
    return profile
  }

  settings(): Settings {
    const { name, lanDiscovery, hidden = false } = this.self.meta
    return { name, lanDiscovery, hidden, autoDownloadBytes: this.files.autoDownloadBytes }
  }

  async updateSettings(patch: Partial<Settings>): Promise<Settings> {
    if (patch.name !== undefined) await this.setName(patch.name)
    if (patch.lanDiscovery !== undefined) {
      await this.self.saveMeta({ ...this.self.meta, lanDiscovery: patch.lanDiscovery, lanChosen: true })
      if (!this.lanPinned) await this.lan.toggle(patch.lanDiscovery)
    }
    if (patch.hidden !== undefined) {
      await this.self.saveMeta({ ...this.self.meta, hidden: patch.hidden })
      await this.network.setHidden(patch.hidden)
    }
    if (patch.autoDownloadBytes !== undefined) await this.files.setAutoDownload(patch.autoDownloadBytes)
    return this.settings()
  }

  /** My identity sealed under a separate backup passphrase, as one line of text. */
  exportIdentity(backupPassphrase: string): Promise<string> {
    return exportBackup({ ...this.self.secrets, name: this.self.name }, backupPassphrase)
  }

  safetyNumber(id: ContactId): string {
    return safetyNumber(this.self.identity.publicKey, this.directory.require(id).key.bytes)
  }

  networkStatus(): NetworkStatus {
    return this.lan.status()
  }

  /**
   * Runs the signed prekey schedule now (also at open and hourly): a new prekey when the current
   * one is due, announced to connected contacts; replaced ones deleted once past their grace.
   */
  rotatePrekeys(): Promise<void> {
    return this.prekeyRotation.rotate()
  }

  // ---- contacts ----

  contacts(): Contact[] {
    return [...this.directory.conversations()].map((c) => c.toContact()).sort((a, b) => b.lastActivity - a.lastActivity)
  }

  async addContact(id: ContactId, name: string): Promise<Contact> {
    return this.requests.add(id, name)
  }

  /** A one-time invite: valid for one request, for INVITE_TTL_MS, while this node runs. */
  async createInvite(): Promise<InviteCode> {
    const secret = randomBytes(INVITE_SECRET_BYTES)
    const expiresAt = Date.now() + INVITE_TTL_MS
    await this.network.openInvite(secret, INVITE_TTL_MS)
    return { code: encodeInvite({ inviter: this.self.identity.publicKey, secret }), expiresAt }
  }

  async acceptInvite(code: string, name: string): Promise<Contact> {
    return this.requests.addByInvite(code, name)
  }

  async renameContact(id: ContactId, name: string): Promise<Contact> {
    const c = this.directory.require(id)
    const newName = cleanName(name, 'contact name')
    await c.update(() => ({ name: newName }))
    return c.announce()
  }

  async removeContact(id: ContactId): Promise<void> {
    const c = this.directory.require(id)
    this.directory.unlist(c)
    await this.network.removeContact(c.key)
    await c.files.eraseAll()
    await c.close()
    await this.store.write(async (tx) => {
      tx.del(keys.contact(c.tag))
      const { theirLog, consumed, outCount, sessions, disappear } = c.record
      tx.putJson(keys.former(c.tag), { theirLog, consumed, outCount, sessions, ...(disappear ? { disappear } : {}) } satisfies FormerRecord)
      for await (const { key, value } of this.store.range(keys.messages(c.tag))) {
        unstampEvent(tx, JSON.parse(value.toString('utf8')) as MessageRecord)
        tx.del(key)
      }
      await forgetClientIds(this.store, tx, c.tag)
    })
    this.events.emit({ type: 'contact-removed', id: c.id })
    await this.epochs.advance()
  }

  async blockContact(id: ContactId): Promise<void> {
    const c = this.directory.require(id)
    await c.update(() => ({ blocked: true, requested: false }))
    void this.network.cancelRequest(c.key)
    await this.network.removeContact(c.key)
    this.network.reclassify(c.key)
    c.announce()
  }

  async unblockContact(id: ContactId): Promise<Contact> {
    const c = this.directory.require(id)
    await c.update(() => ({ blocked: false }))
    this.network.reclassify(c.key)
    this.network.addContact(c.key)
    return c.announce()
  }

  async setVerified(id: ContactId, verified: boolean): Promise<Contact> {
    const c = this.directory.require(id)
    await c.update(() => ({ verified }))
    return c.announce()
  }

  // ---- requests ----

  listRequests(): ContactRequest[] {
    return this.requests.list()
  }

  async acceptRequest(id: ContactId, name?: string): Promise<Contact> {
    return this.requests.accept(id, name)
  }

  async declineRequest(id: ContactId): Promise<void> {
    await this.requests.refuse(id)
  }

  async blockRequest(id: ContactId): Promise<void> {
    await this.requests.refuse(id)
  }

  // ---- messages ----

  async send(id: ContactId, text: string, replyTo?: string, clientId?: string): Promise<Message> {
    return this.directory.require(id).send(text, { ...(replyTo === undefined ? {} : { replyTo }), ...(clientId === undefined ? {} : { clientId }) })
  }

  async edit(id: ContactId, message: string, text: string): Promise<Message> {
    return this.directory.require(id).changes.edit(message, text)
  }

  async react(id: ContactId, message: string, emoji: string): Promise<Message> {
    return this.directory.require(id).changes.react(message, emoji)
  }

  history(id: ContactId, query: HistoryQuery = {}): Promise<HistoryPage> {
    return historyPage(this.store, this.directory.require(id), query)
  }

  async markRead(id: ContactId): Promise<void> {
    await this.directory.require(id).markRead()
  }

  setTyping(id: ContactId, typing: boolean): void {
    this.directory.require(id).typing(typing)
  }

  // ---- lifecycle ----

  close(): Promise<void> {
    if (!this.closing) {
      this.events.close()
      this.closing = this.shutdown()
    }
    return this.closing
  }

  /** Takes a contact's new connection; anyone else's is closed. */
  private onPeer(peer: Peer): void {
    const c = this.directory.conversation(peer.key)
    if (!c) return peer.close()
    c.attach(peer)
  }

  private async shutdown(): Promise<void> {
    this.calls.close()
    this.prekeyRotation.stop()
    await this.erasure.stop()
    await this.home.close()
    await this.files.close()
    await this.groups.close()
    await this.lan.settle()
    await this.network.close()
    await this.lan.close()
    for (const c of this.directory.conversations()) await c.close()
    for (const c of this.directory.conversations()) await c.saveReceipts()
    await this.epochs.close()
    await this.corestore.close()
    this.emit('closed')
  }
}

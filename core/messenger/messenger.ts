import { EventEmitter } from 'node:events'
import type Corestore from 'corestore'
import { CairnError } from '../api/errors'
import type {
  CairnEvent,
  Contact,
  ContactId,
  ContactRequest,
  HistoryPage,
  HistoryQuery,
  Message,
  NetworkStatus,
  Profile,
  SecurityKind,
  Settings
} from '../api/types'
import { decodeContactId, encodeContactId, exportBackup, safetyNumber, type IdentityKeyPair, type KeystoreSecrets } from '../identity'
import { attachToPeer, LogReader, openOwnLog, openPeerLog, watchIntegrity, type LogBlock } from '../log'
import { joinLan, type Lan } from '../lan'
import type { Network, Peer } from '../net'
import type { ControlFrame, RequestFrame } from '../net/frames'
import {
  bundleOf,
  decodeBundle,
  encodeBundle,
  encodeSignedPrekey,
  inspectEnvelope,
  MAX_ENVELOPE_BYTES,
  MAX_PLAINTEXT_BYTES,
  RatchetError,
  Session,
  type SignedPrekey
} from '../ratchet'
import { keys, seqOfKey, type Store, type Tx } from '../store'
import { Conversation } from './conversation'
import { cleanName } from './names'
import { DEFAULT_PREKEY_POLICY, prekeyChanges, type PrekeyPolicy } from './prekey-schedule'
import { decodePayload, encodePayload } from './payload'
import type { ContactRecord, FormerRecord, MessageRecord, MetaRecord, RequestRecord } from './records'

/** Sessions kept per contact: the active one plus a few that may still carry messages in flight. */
const MAX_SESSIONS = 4
/** Pending contact requests kept; beyond this new ones are dropped until some are answered. */
const MAX_REQUESTS = 500
/** How often the signed prekey schedule is checked while a profile stays open. */
const PREKEY_CHECK_MS = 60 * 60 * 1000
/**
 * Their receipts are written to the store at most this often: a write per receipt would queue in
 * front of my next send. They are re-sent on every connect, so a crash loses none for good.
 */
const RECEIPT_SAVE_MS = 1000

export interface MessengerParts {
  secrets: KeystoreSecrets
  corestore: Corestore
  store: Store
  meta: MetaRecord
  prekeys: Map<number, SignedPrekey>
  network: Network
  lanDiscovery: boolean
  /** The time the prekey schedule goes by (tests move it). */
  clock?: () => number
  prekeyPolicy?: PrekeyPolicy
}

/**
 * One open profile: contacts, requests, conversations over the two logs of each pair, and the
 * network that carries them. Emits 'event' (CairnEvent). Every public method validates its input
 * and rejects with a CairnError; nothing a peer sends can throw out of an event handler.
 */
export class Messenger extends EventEmitter {
  readonly id: ContactId
  private readonly secrets: KeystoreSecrets
  private readonly identity: IdentityKeyPair
  private readonly corestore: Corestore
  private readonly store: Store
  private readonly network: Network
  private meta: MetaRecord
  private readonly prekeys: Map<number, SignedPrekey>
  private readonly conversations = new Map<string, Conversation>()
  private readonly requests = new Map<string, RequestRecord>()
  private readonly refused = new Set<string>()
  private closing: Promise<void> | null = null
  private lanDiscovery: boolean
  private lan: Lan | null = null
  private lanChange: Promise<void> = Promise.resolve()
  private lastNetwork = ''
  private readonly clock: () => number
  private readonly prekeyPolicy: PrekeyPolicy
  private prekeyTimer: NodeJS.Timeout | null = null
  private prekeyRun: Promise<void> = Promise.resolve()

  constructor(parts: MessengerParts) {
    super()
    this.secrets = parts.secrets
    this.identity = parts.secrets.identity
    this.corestore = parts.corestore
    this.store = parts.store
    this.network = parts.network
    this.meta = parts.meta
    this.prekeys = parts.prekeys
    this.lanDiscovery = parts.lanDiscovery
    this.clock = parts.clock ?? Date.now
    this.prekeyPolicy = parts.prekeyPolicy ?? DEFAULT_PREKEY_POLICY
    this.id = encodeContactId(this.identity.publicKey)
  }

  /** Who the network lets in, asked at every handshake. */
  classify(remoteKey: Buffer): 'contact' | 'blocked' | 'unknown' {
    const hex = remoteKey.toString('hex')
    const c = this.conversations.get(hex)
    if (c) return c.rec.blocked ? 'blocked' : 'contact'
    return this.refused.has(hex) ? 'blocked' : 'unknown'
  }

  /** Loads contacts and requests, repairs interrupted sends, and joins the network. */
  async start(): Promise<void> {
    for await (const { key } of this.store.range(keys.refusedAll())) this.refused.add(key.subarray(1).toString('hex'))
    for await (const { value } of this.store.range(keys.requests())) {
      const r = JSON.parse(value.toString('utf8')) as RequestRecord
      this.requests.set(r.pk, r)
    }
    for await (const { key, value } of this.store.range(keys.contacts())) {
      const rec = JSON.parse(value.toString('utf8')) as ContactRecord
      const c = new Conversation(rec, key.subarray(1))
      this.conversations.set(rec.pk, c)
      c.opened = this.openLogs(c)
      await c.opened
      await this.dropAppendedEnvelopes(c)
      this.resumeAppends(c)
    }
    this.network.on('peer', (peer: Peer) => this.guard(() => this.onPeer(peer)))
    this.network.on('request', (pk: Buffer, req: RequestFrame) => this.guard(() => this.onRequest(pk, req)))
    this.network.on('status', () => this.emitNetwork())
    this.network.on('protocol-error', (pk: Buffer, reason: string) => {
      const c = this.conversations.get(pk.toString('hex'))
      if (c) this.security(c, 'protocol-violation', `a control frame was refused: ${reason}`)
    })
    await this.rotatePrekeys()
    this.prekeyTimer = setInterval(() => this.guard(() => this.rotatePrekeys()), PREKEY_CHECK_MS)
    this.prekeyTimer.unref()
    await this.network.ready()
    if (this.lanDiscovery) await this.startLan()
    for (const c of this.conversations.values()) {
      if (c.rec.blocked) continue
      this.network.addContact(c.pk)
      if (c.rec.requested) this.network.sendRequest(c.pk, this.myRequest())
    }
  }

  // ---- profile and settings ----

  profile(): Profile {
    return { id: this.id, name: this.meta.name }
  }

  async setName(name: string): Promise<Profile> {
    await this.saveMeta({ ...this.meta, name: cleanName(name, 'name') })
    const profile = this.profile()
    for (const c of this.conversations.values()) if (c.peer) this.sendHello(c, c.peer)
    this.emitEvent({ type: 'profile', profile })
    return profile
  }

  settings(): Settings {
    return { name: this.meta.name, lanDiscovery: this.meta.lanDiscovery }
  }

  async updateSettings(patch: Partial<Settings>): Promise<Settings> {
    if (patch.name !== undefined) await this.setName(patch.name)
    if (patch.lanDiscovery !== undefined) {
      await this.saveMeta({ ...this.meta, lanDiscovery: patch.lanDiscovery })
      const on = patch.lanDiscovery
      // Toggles take effect in the order they were asked for, never two at once.
      this.lanChange = this.lanChange.catch(() => undefined).then(() => (on ? this.startLan() : this.stopLan()))
      await this.lanChange
      this.emitNetwork()
    }
    return this.settings()
  }

  /**
   * Runs the network on the local link too; a link without a usable interface leaves the node on
   * the internet alone, with lanDiscovery reported off.
   */
  private async startLan(): Promise<void> {
    if (this.lan || this.closing) return
    this.lanDiscovery = true
    try {
      const lan = await joinLan(this.network)
      this.lan = lan
      lan.on('peers', () => this.emitNetwork())
    } catch (err) {
      this.lanDiscovery = false
      this.emit('error-log', err)
    }
  }

  /** Stops advertising and drops the connections that ran over the link; internet ones stay. */
  private async stopLan(): Promise<void> {
    this.lanDiscovery = false
    const lan = this.lan
    if (!lan) return
    this.lan = null
    await this.network.removeDht(lan.dht)
    await lan.close()
  }

  /** My identity sealed under a separate backup passphrase, as one line of text. */
  exportIdentity(backupPassphrase: string): Promise<string> {
    return exportBackup({ ...this.secrets, name: this.meta.name }, backupPassphrase)
  }

  safetyNumber(id: ContactId): string {
    return safetyNumber(this.identity.publicKey, this.contact(id).pk)
  }

  networkStatus(): NetworkStatus {
    const { mode, peers } = this.network.status()
    let contactsOnline = 0
    for (const c of this.conversations.values()) if (c.peer) contactsOnline++
    // The LAN DHT always knows this host's own storage node: alone on the link it reaches no one.
    const alone = mode === 'lan' && (this.lan?.nodes ?? 0) === 0
    return { mode: alone ? 'offline' : mode, peers, contactsOnline, lanDiscovery: this.lanDiscovery }
  }

  private emitNetwork(): void {
    const status = this.networkStatus()
    const text = JSON.stringify(status)
    if (text === this.lastNetwork) return
    this.lastNetwork = text
    this.emitEvent({ type: 'network', status })
  }

  /**
   * Runs the signed prekey schedule now (also at open and hourly): a new prekey when the current
   * one is due, announced to connected contacts; replaced ones deleted once past their grace.
   */
  rotatePrekeys(): Promise<void> {
    // One run at a time: two at once would each make a prekey with the same id.
    this.prekeyRun = this.prekeyRun.catch(() => undefined).then(() => this.followPrekeySchedule())
    return this.prekeyRun
  }

  private async followPrekeySchedule(): Promise<void> {
    const { created, deleted } = prekeyChanges(this.identity, this.prekeys, this.meta.prekeyId, this.clock(), this.prekeyPolicy)
    if (!created && deleted.length === 0) return
    const meta = created ? { ...this.meta, prekeyId: created.id } : this.meta
    await this.store.write((tx) => {
      if (created) {
        tx.put(keys.prekey(created.id), encodeSignedPrekey(created))
        tx.putJson(keys.meta(), meta)
      }
      for (const id of deleted) tx.del(keys.prekey(id))
    })
    this.meta = meta
    if (created) this.prekeys.set(created.id, created)
    for (const id of deleted) this.prekeys.delete(id)
    if (!created) return
    const bundle = this.myBundle()
    for (const c of this.conversations.values()) {
      if (c.rec.blocked) continue
      if (c.peer) c.peer.send({ type: 'prekeys', bundle })
      // A request still on its way carries the bundle too; the network sends the newest one.
      if (c.rec.requested) this.network.sendRequest(c.pk, this.myRequest())
    }
  }

  // ---- contacts ----

  contacts(): Contact[] {
    return [...this.conversations.values()].map((c) => c.toContact()).sort((a, b) => b.lastActivity - a.lastActivity)
  }

  async addContact(id: ContactId, name: string): Promise<Contact> {
    const pk = this.decodeOther(id)
    const localName = cleanName(name, 'contact name')
    const existing = this.conversations.get(pk.toString('hex'))
    if (existing) return existing.toContact()
    const request = this.requests.get(pk.toString('hex'))
    return this.makeContact(pk, localName, request ?? null)
  }

  async renameContact(id: ContactId, name: string): Promise<Contact> {
    const c = this.contact(id)
    const newName = cleanName(name, 'contact name')
    await this.updateContact(c, () => ({ name: newName }))
    return this.emitContact(c)
  }

  async removeContact(id: ContactId): Promise<void> {
    const c = this.contact(id)
    this.conversations.delete(c.rec.pk)
    await this.network.removeContact(c.pk)
    await this.closeConversation(c)
    await this.store.write(async (tx) => {
      tx.del(keys.contact(c.tag))
      const { theirLog, consumed, outCount, sessions } = c.rec
      tx.putJson(keys.former(c.tag), { theirLog, consumed, outCount, sessions } satisfies FormerRecord)
      for await (const { key } of this.store.range(keys.messages(c.tag))) tx.del(key)
    })
    this.emitEvent({ type: 'contact-removed', id: c.id })
  }

  async blockContact(id: ContactId): Promise<void> {
    const c = this.contact(id)
    await this.updateContact(c, () => ({ blocked: true, requested: false }))
    this.network.cancelRequest(c.pk)
    await this.network.removeContact(c.pk)
    this.network.reclassify(c.pk)
    this.emitContact(c)
  }

  async unblockContact(id: ContactId): Promise<Contact> {
    const c = this.contact(id)
    await this.updateContact(c, () => ({ blocked: false }))
    this.network.reclassify(c.pk)
    this.network.addContact(c.pk)
    return this.emitContact(c)
  }

  async setVerified(id: ContactId, verified: boolean): Promise<Contact> {
    const c = this.contact(id)
    await this.updateContact(c, () => ({ verified }))
    return this.emitContact(c)
  }

  // ---- requests ----

  listRequests(): ContactRequest[] {
    return [...this.requests.values()].map(toRequest).sort((a, b) => b.receivedAt - a.receivedAt)
  }

  async acceptRequest(id: ContactId, name?: string): Promise<Contact> {
    const pk = this.decodeOther(id)
    const request = this.requests.get(pk.toString('hex'))
    if (!request) throw new CairnError('not-found', 'there is no contact request from this ID')
    return this.makeContact(pk, cleanName(name ?? request.name, 'contact name'), request)
  }

  async declineRequest(id: ContactId): Promise<void> {
    await this.refuse(id)
  }

  async blockRequest(id: ContactId): Promise<void> {
    await this.refuse(id)
  }

  // ---- messages ----

  async send(id: ContactId, text: string): Promise<Message> {
    const c = this.contact(id)
    if (c.rec.blocked) throw new CairnError('blocked', 'this contact is blocked; unblock them to write to them')
    const now = Date.now()
    const payload = encodePayload({ text, sentAt: now })
    if (payload.length > MAX_PLAINTEXT_BYTES) throw new CairnError('invalid-argument', 'the message is too long')
    const { message, seq, envelope } = await this.commitOrForget(c, async (tx) => {
      const rec = { ...c.rec, sessions: [...c.rec.sessions] }
      const session = await this.sendingSession(c, rec, tx)
      const envelope = session.encrypt(payload)
      const block = rec.outCount
      const seq = rec.nextSeq
      const message: MessageRecord = { id: c.messageId(seq), dir: 'out', text, sentAt: now, receivedAt: now, block }
      tx.putJson(keys.message(c.tag, seq), message)
      tx.put(keys.outBlock(c.tag, block), seqBytes(seq))
      tx.put(keys.envelope(c.tag, block), envelope)
      tx.put(keys.session(c.tag, session.id), session.encode())
      this.cleanEnvelopes(c, tx)
      rec.outCount = block + 1
      rec.nextSeq = seq + 1
      rec.lastMessage = { direction: 'out', text: preview(text), at: now }
      rec.lastActivity = now
      tx.putJson(keys.contact(c.tag), rec)
      return { message, seq, rec, envelope }
    })
    c.outbox.set(message.block, { envelope, seq })
    this.resumeAppends(c)
    const out = c.toMessage(message, seq)
    this.emitEvent({ type: 'message', message: out })
    this.emitContact(c)
    return out
  }

  async history(id: ContactId, query: HistoryQuery = {}): Promise<HistoryPage> {
    const c = this.contact(id)
    const limit = query.limit ?? 50
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new CairnError('invalid-argument', 'limit must be 1..500')
    let lt: Buffer | undefined
    if (query.before !== undefined) {
      if (!/^\d{1,15}$/.test(query.before)) throw new CairnError('invalid-argument', 'before is not a cursor from a previous page')
      lt = keys.message(c.tag, Number(query.before))
    }
    const messages: Message[] = []
    let oldest = 0
    for await (const { key, value } of this.store.range(keys.messages(c.tag), { reverse: true, limit, lt })) {
      oldest = seqOfKey(key)
      messages.push(c.toMessage(JSON.parse(value.toString('utf8')) as MessageRecord, oldest))
    }
    const before = messages.length === limit && oldest > 0 ? String(oldest) : null
    return { messages, before }
  }

  async markRead(id: ContactId): Promise<void> {
    const c = this.contact(id)
    if (c.rec.readSeq === c.rec.nextSeq && c.rec.readBlocks === c.rec.consumed) return
    await this.updateContact(c, (r) => ({ readSeq: r.nextSeq, readBlocks: r.consumed, unread: 0 }))
    if (c.peer && c.rec.readBlocks > 0) c.peer.send({ type: 'receipt', kind: 'read', upTo: c.rec.readBlocks - 1 })
    this.emitContact(c)
  }

  setTyping(id: ContactId, typing: boolean): void {
    const c = this.contact(id)
    if (c.peer && !c.rec.blocked) c.peer.send({ type: 'typing', typing })
  }

  // ---- lifecycle ----

  close(): Promise<void> {
    if (!this.closing) this.closing = this.shutdown()
    return this.closing
  }

  private async shutdown(): Promise<void> {
    if (this.prekeyTimer) clearInterval(this.prekeyTimer)
    await this.lanChange.catch(() => undefined)
    await this.network.close()
    if (this.lan) await this.lan.close()
    for (const c of this.conversations.values()) await this.closeConversation(c)
    for (const c of this.conversations.values()) await this.saveReceipts(c)
    await this.store.close()
    await this.corestore.close()
    this.emit('closed')
  }

  // ---- internals: contacts and requests ----

  private contact(id: ContactId): Conversation {
    const pk = decodeContactId(id)
    const c = this.conversations.get(pk.toString('hex'))
    if (!c) throw new CairnError('not-found', 'no such contact')
    return c
  }

  private decodeOther(id: ContactId): Buffer {
    const pk = decodeContactId(id)
    if (pk.equals(this.identity.publicKey)) throw new CairnError('self', 'this is your own ID')
    return pk
  }

  private async makeContact(pk: Buffer, name: string, request: RequestRecord | null): Promise<Contact> {
    const hex = pk.toString('hex')
    const tag = this.store.tag(pk)
    const now = Date.now()
    const rec: ContactRecord = {
      pk: hex,
      name,
      addedAt: now,
      blocked: false,
      verified: false,
      announcedName: request ? request.name : null,
      theirLog: null,
      logFault: null,
      bundle: request ? request.bundle : null,
      consumed: 0,
      readBlocks: 0,
      outCount: 0,
      delivered: 0,
      read: 0,
      nextSeq: 0,
      readSeq: 0,
      unread: 0,
      lastMessage: null,
      lastActivity: now,
      sessions: [],
      requested: request === null
    }
    await this.store.write(async (tx) => {
      const former = await tx.getJson<FormerRecord>(keys.former(tag))
      if (former) {
        rec.theirLog = former.theirLog
        rec.consumed = rec.readBlocks = former.consumed
        rec.outCount = rec.delivered = rec.read = former.outCount
        rec.sessions = former.sessions
      }
      tx.putJson(keys.contact(tag), rec)
      tx.del(keys.former(tag))
      tx.del(keys.request(tag))
      tx.del(keys.refused(tag))
    })
    const c = new Conversation(rec, tag)
    this.conversations.set(hex, c)
    this.requests.delete(hex)
    this.refused.delete(hex)
    c.opened = this.openLogs(c).then(() => this.dropAppendedEnvelopes(c))
    await c.opened
    this.network.reclassify(pk)
    this.network.addContact(pk)
    if (rec.requested) this.network.sendRequest(pk, this.myRequest())
    if (request) this.emitEvent({ type: 'request-removed', id: c.id })
    return this.emitContact(c)
  }

  private async refuse(id: ContactId): Promise<void> {
    const pk = this.decodeOther(id)
    const hex = pk.toString('hex')
    if (!this.requests.has(hex)) throw new CairnError('not-found', 'there is no contact request from this ID')
    const tag = this.store.tag(pk)
    await this.store.write((tx) => {
      tx.del(keys.request(tag))
      tx.put(keys.refused(tag), Buffer.from(hex, 'hex'))
    })
    this.requests.delete(hex)
    this.refused.add(hex)
    this.network.reclassify(pk)
    this.emitEvent({ type: 'request-removed', id: encodeContactId(pk) })
  }

  private async onRequest(pk: Buffer, req: RequestFrame): Promise<void> {
    const hex = pk.toString('hex')
    if (this.conversations.has(hex) || this.refused.has(hex) || this.requests.has(hex)) return
    if (this.requests.size >= MAX_REQUESTS) return
    let bundle: string | null = null
    if (req.bundle) {
      try {
        decodeBundle(req.bundle, pk)
        bundle = req.bundle.toString('hex')
      } catch {
        bundle = null
      }
    }
    const record: RequestRecord = { pk: hex, name: req.name, receivedAt: Date.now(), bundle }
    await this.store.write((tx) => tx.putJson(keys.request(this.store.tag(pk)), record))
    this.requests.set(hex, record)
    this.emitEvent({ type: 'request', request: toRequest(record) })
  }

  private myRequest(): RequestFrame {
    return { name: this.meta.name, bundle: this.myBundle() }
  }

  private myBundle(): Buffer {
    const prekey = this.prekeys.get(this.meta.prekeyId)
    if (!prekey) throw new CairnError('corrupt-profile', 'my current prekey is missing')
    return encodeBundle(bundleOf(this.identity, prekey))
  }

  // ---- internals: logs, peers and frames ----

  private async openLogs(c: Conversation): Promise<void> {
    c.own = await openOwnLog(this.corestore, c.tag)
    if (c.rec.theirLog) await this.openTheirs(c, Buffer.from(c.rec.theirLog, 'hex'))
  }

  private async openTheirs(c: Conversation, key: Buffer): Promise<void> {
    const core = await openPeerLog(this.corestore, key)
    c.theirs = core
    if (c.rec.logFault) return
    c.stopWatching = watchIntegrity(core, (kind, detail) => {
      this.security(c, kind, detail)
      if (kind === 'log-fork') this.guard(() => this.distrustLog(c, detail))
    })
    c.reader = new LogReader(
      core,
      c.rec.consumed,
      (blocks) => this.consume(c, blocks),
      (err) => this.security(c, 'log-invalid', `reading the contact's log stopped: ${errorText(err)}`)
    )
    if (c.peer) attachToPeer(core, c.peer.stream)
  }

  /**
   * A rewritten log is never read again: what was consumed stays, nothing more is accepted from it,
   * and it is no longer replicated. The user sees the security event and decides what to do.
   */
  private async distrustLog(c: Conversation, why: string): Promise<void> {
    if (c.rec.logFault) return
    await this.updateContact(c, () => ({ logFault: why }))
    if (c.stopWatching) c.stopWatching()
    c.stopWatching = null
    const reader = c.reader
    c.reader = null
    if (reader) await reader.close()
  }

  private async closeConversation(c: Conversation): Promise<void> {
    await this.closeTheirs(c)
    await c.appending
    if (c.own) await c.own.close()
  }

  private async closeTheirs(c: Conversation): Promise<void> {
    if (c.stopWatching) c.stopWatching()
    c.stopWatching = null
    const reader = c.reader
    c.reader = null
    if (reader) await reader.close()
    const theirs = c.theirs
    c.theirs = null
    if (theirs) await theirs.close()
  }

  private onPeer(peer: Peer): void {
    const c = this.conversations.get(peer.remoteKey.toString('hex'))
    if (!c || c.rec.blocked) return peer.close()
    if (c.peer && c.peer !== peer) c.peer.close()
    c.peer = peer
    peer.on('frame', (frame: ControlFrame) => this.guard(() => this.onFrame(c, peer, frame)))
    peer.on('close', () => {
      if (c.peer !== peer) return
      c.peer = null
      this.emitContact(c)
    })
    this.emitContact(c)
    this.guard(() => this.greet(c, peer))
  }

  /** Once my logs are open: replicate the pair's two cores over the connection and say hello. */
  private async greet(c: Conversation, peer: Peer): Promise<void> {
    await c.opened
    if (c.peer !== peer || peer.closed) return
    if (c.own) attachToPeer(c.own, peer.stream)
    if (c.theirs && !c.rec.logFault) attachToPeer(c.theirs, peer.stream)
    this.sendHello(c, peer)
    if (c.rec.requested) {
      this.network.cancelRequest(c.pk)
      await this.updateContact(c, () => ({ requested: false }))
    }
  }

  private sendHello(c: Conversation, peer: Peer): void {
    if (!c.own?.key) return
    peer.send({ type: 'hello', name: this.meta.name, logKey: c.own.key, bundle: this.myBundle() })
  }

  private async onFrame(c: Conversation, peer: Peer, frame: ControlFrame): Promise<void> {
    if (c.peer !== peer) return
    switch (frame.type) {
      case 'hello':
        return this.onHello(c, frame)
      case 'receipt':
        return this.onReceipt(c, frame.kind, frame.upTo)
      case 'typing':
        return this.emitEvent({ type: 'typing', contact: c.id, typing: frame.typing })
      case 'prekeys':
        return this.onBundle(c, frame.bundle)
    }
  }

  private async onHello(c: Conversation, frame: Extract<ControlFrame, { type: 'hello' }>): Promise<void> {
    await c.opened
    const logKey = frame.logKey.toString('hex')
    const bundle = frame.bundle ? this.verifiedBundle(c, frame.bundle) : null
    const known = this.isKnownLog(frame.logKey)
    if (c.rec.theirLog !== logKey && known) {
      this.security(c, 'protocol-violation', 'the contact announced a log that belongs to another conversation')
    }
    const adopt = c.rec.theirLog !== logKey && !known
    // Only their identity key opens this connection, so a new log is theirs: they restored their
    // identity from a backup on a new device, whose sessions and logs start afresh.
    const renewed = adopt && c.rec.theirLog !== null
    if (renewed) {
      this.security(c, 'log-renewed', 'the contact started a new log (restored from a backup?); their old one is no longer read')
      await this.closeTheirs(c)
      c.sessions.clear()
    }
    await this.updateContact(c, (r) => ({
      announcedName: frame.name,
      theirLog: adopt ? logKey : r.theirLog,
      bundle: bundle ?? r.bundle,
      ...(renewed ? { consumed: 0, readBlocks: 0, logFault: null, sessions: [] } : {})
    }))
    if (adopt && !c.theirs) await this.openTheirs(c, frame.logKey)
    // Receipts name blocks of the log their hello just named, never of one they no longer have.
    if (c.peer && c.rec.consumed > 0) c.peer.send({ type: 'receipt', kind: 'delivered', upTo: c.rec.consumed - 1 })
    if (c.peer && c.rec.readBlocks > 0) c.peer.send({ type: 'receipt', kind: 'read', upTo: c.rec.readBlocks - 1 })
    this.emitContact(c)
  }

  private async onBundle(c: Conversation, bundle: Buffer): Promise<void> {
    const verified = this.verifiedBundle(c, bundle)
    if (verified) await this.updateContact(c, () => ({ bundle: verified }))
  }

  private verifiedBundle(c: Conversation, bundle: Buffer): string | null {
    try {
      decodeBundle(bundle, c.pk)
      return bundle.toString('hex')
    } catch (err) {
      this.security(c, 'protocol-violation', `the contact's prekey bundle is invalid: ${errorText(err)}`)
      return null
    }
  }

  private isKnownLog(key: Buffer): boolean {
    for (const other of this.conversations.values()) {
      if (other.own?.key?.equals(key)) return true
      if (other.rec.theirLog === key.toString('hex')) return true
    }
    return false
  }

  private async onReceipt(c: Conversation, kind: 'delivered' | 'read', upTo: number): Promise<void> {
    if (!Number.isSafeInteger(upTo) || upTo < 0 || upTo >= c.rec.outCount) {
      return this.security(c, 'protocol-violation', `a ${kind} receipt names block ${upTo}, which I never wrote`)
    }
    const heard = c.receipts
    const from = kind === 'read' ? heard.read : heard.delivered
    if (upTo + 1 <= from) return
    if (kind === 'read') heard.read = upTo + 1
    heard.delivered = Math.max(heard.delivered, upTo + 1)
    if (!c.receiptSave) {
      c.receiptSave = setTimeout(() => this.guard(() => this.saveReceipts(c)), RECEIPT_SAVE_MS)
      c.receiptSave.unref()
    }
    for (let block = from; block <= upTo; block++) {
      const seqValue = await this.store.get(keys.outBlock(c.tag, block))
      if (!seqValue) continue
      const seq = Number(seqValue.readBigUInt64BE(0))
      this.emitEvent({ type: 'message-state', contact: c.id, id: c.messageId(seq), state: kind })
    }
  }

  /** Writes the receipts heard since the contact record was last written, if any. */
  private async saveReceipts(c: Conversation): Promise<void> {
    if (c.receiptSave) clearTimeout(c.receiptSave)
    c.receiptSave = null
    if (this.conversations.get(c.rec.pk) !== c) return
    await this.updateContact(c, (r) => {
      const { delivered, read } = c.receipts
      if (this.conversations.get(r.pk) !== c || (delivered <= r.delivered && read <= r.read)) return null
      return { delivered: Math.max(r.delivered, delivered), read: Math.max(r.read, read) }
    })
  }

  // ---- internals: sending ----

  /** The session to write with; starts one (from their bundle when I have it) if there is none. */
  private async sendingSession(c: Conversation, rec: ContactRecord, tx: Tx): Promise<Session> {
    const active = rec.sessions[0]
    const current = active ? await this.loadSession(c, tx, active) : null
    if (current) return current
    const bundle = rec.bundle ? decodeBundle(Buffer.from(rec.bundle, 'hex'), c.pk) : null
    const session = Session.initiate(this.identity, c.pk, bundle)
    this.adoptSession(c, rec, session, true)
    return session
  }

  /** Re-appends, in order, every envelope committed to my log for this contact but not yet in it. */
  private resumeAppends(c: Conversation): void {
    c.appending = c.appending
      .then(async () => {
        const own = c.own
        while (own && !own.closed && own.length < c.rec.outCount) {
          const block = own.length
          const pending = c.outbox.get(block) ?? (await this.readOutgoing(c, block))
          await own.append(pending.envelope)
          c.outbox.delete(block)
          this.emitEvent({ type: 'message-state', contact: c.id, id: c.messageId(pending.seq), state: 'sent' })
        }
      })
      .catch((err) => {
        if (!this.closing) this.emit('error-log', err)
      })
  }

  /** The stored copy of an envelope committed before a crash or restart, to append it unchanged. */
  private async readOutgoing(c: Conversation, block: number): Promise<{ envelope: Buffer; seq: number }> {
    const envelope = await this.store.get(keys.envelope(c.tag, block))
    const seqValue = await this.store.get(keys.outBlock(c.tag, block))
    if (!envelope || !seqValue) throw new CairnError('corrupt-profile', `the envelope of outgoing block ${block} is missing`)
    return { envelope, seq: Number(seqValue.readBigUInt64BE(0)) }
  }

  /** At open: forgets the stored copies of envelopes that reached my log before the last close. */
  private async dropAppendedEnvelopes(c: Conversation): Promise<void> {
    const appended = c.own ? c.own.length : 0
    await this.store.write(async (tx) => {
      for await (const { key } of this.store.range(keys.envelopes(c.tag), { lt: keys.envelope(c.tag, appended) })) tx.del(key)
    })
    c.cleanedTo = appended
  }

  /** Deletes the stored copies of envelopes that have reached my log. */
  private cleanEnvelopes(c: Conversation, tx: Tx): void {
    const appended = c.own ? c.own.length : 0
    for (let block = c.cleanedTo; block < appended; block++) tx.del(keys.envelope(c.tag, block))
    c.cleanedTo = Math.max(c.cleanedTo, appended)
  }

  // ---- internals: receiving ----

  /**
   * Decrypts a step of consecutive blocks of the contact's log and commits, in one batch, the
   * messages, the advanced ratchet sessions and the new "consumed" mark. A block that fails is
   * consumed too (never retried, never decrypted twice) and reported as a security event.
   */
  private async consume(c: Conversation, blocks: LogBlock[]): Promise<void> {
    const received: Array<{ message: MessageRecord; seq: number }> = []
    const problems: Array<{ kind: SecurityKind; detail: string }> = []
    const orphans: number[] = []
    await this.commitOrForget(c, async (tx) => {
      const rec = { ...c.rec, sessions: [...c.rec.sessions] }
      const touched = new Set<Session>()
      const now = Date.now()
      for (const { index, block } of blocks) {
        if (index < rec.consumed) continue
        rec.consumed = index + 1
        const opened = await this.openEnvelope(c, rec, tx, block, index)
        if ('orphan' in opened) {
          orphans.push(index)
          continue
        }
        if ('problem' in opened) {
          problems.push(opened.problem)
          continue
        }
        touched.add(opened.session)
        const seq = rec.nextSeq++
        const message: MessageRecord = { id: c.messageId(seq), dir: 'in', text: opened.text, sentAt: opened.sentAt, receivedAt: now, block: index }
        tx.putJson(keys.message(c.tag, seq), message)
        received.push({ message, seq })
        rec.unread++
        rec.lastMessage = { direction: 'in', text: preview(opened.text), at: opened.sentAt }
        rec.lastActivity = now
      }
      for (const session of touched) tx.put(keys.session(c.tag, session.id), session.encode())
      tx.putJson(keys.contact(c.tag), rec)
      return { rec }
    })
    if (orphans.length > 0) this.security(c, 'decrypt-failed', orphanDetail(orphans))
    for (const p of problems) this.security(c, p.kind, p.detail)
    for (const { message, seq } of received) this.emitEvent({ type: 'message', message: c.toMessage(message, seq) })
    if (c.peer) c.peer.send({ type: 'receipt', kind: 'delivered', upTo: c.rec.consumed - 1 })
    const total = c.theirs ? c.theirs.length : c.rec.consumed
    if (blocks.length > 1 || total > c.rec.consumed) {
      this.emitEvent({ type: 'sync', progress: { contact: c.id, done: c.rec.consumed, total } })
    }
    if (received.length > 0) this.emitContact(c)
  }

  private async openEnvelope(
    c: Conversation,
    rec: ContactRecord,
    tx: Tx,
    block: Buffer,
    index: number
  ): Promise<{ session: Session; text: string; sentAt: number } | { problem: { kind: SecurityKind; detail: string } } | { orphan: true }> {
    const fail = (kind: SecurityKind, why: string) => ({ problem: { kind, detail: `block ${index} of the contact's log ${why}` } })
    if (block.length > MAX_ENVELOPE_BYTES) return fail('decrypt-failed', `is oversized (${block.length} bytes)`)
    let plaintext: Buffer
    let session: Session
    try {
      const { sessionId, initial } = inspectEnvelope(block)
      const sid = sessionId.toString('hex')
      const known = rec.sessions.includes(sid) ? await this.loadSession(c, tx, sid) : null
      if (known) {
        session = known
        plaintext = session.decrypt(block)
      } else if (initial) {
        const started = Session.respond(this.identity, c.pk, block, (id) => this.prekeys.get(id) ?? null)
        session = started.session
        plaintext = started.plaintext
        this.adoptSession(c, rec, session, false)
      } else {
        return { orphan: true }
      }
    } catch (err) {
      if (err instanceof RatchetError && err.code === 'unknown-prekey') {
        return fail('decrypt-failed', `was made from a signed prekey of mine that expired and was deleted (${err.message})`)
      }
      return fail('decrypt-failed', `was rejected: ${errorText(err)}`)
    }
    try {
      const payload = decodePayload(plaintext)
      return { session, text: payload.text, sentAt: payload.sentAt }
    } catch (err) {
      return fail('protocol-violation', `holds a malformed message: ${errorText(err)}`)
    }
  }

  private async loadSession(c: Conversation, tx: Tx, sid: string): Promise<Session | null> {
    const cached = c.sessions.get(sid)
    if (cached) return cached
    const bytes = await tx.get(keys.session(c.tag, Buffer.from(sid, 'hex')))
    if (!bytes) return null
    const session = Session.decode(bytes)
    c.sessions.set(sid, session)
    return session
  }

  /**
   * Adds a session to the contact's set. When both sides started a session at once, each ends up
   * holding both; both then write with the one whose id sorts first, so they converge on one.
   */
  private adoptSession(c: Conversation, rec: ContactRecord, session: Session, mine: boolean): void {
    const sid = session.id.toString('hex')
    c.sessions.set(sid, session)
    const others = rec.sessions.filter((s) => s !== sid)
    const active = others[0]
    const first = active === undefined || mine || sid < active
    rec.sessions = first ? [sid, ...others] : [active, sid, ...others.slice(1)]
    while (rec.sessions.length > MAX_SESSIONS) {
      const dropped = rec.sessions.pop()
      if (dropped) c.sessions.delete(dropped)
    }
  }

  /**
   * Runs a store write that may advance ratchet sessions in memory; if it does not commit, the
   * in-memory sessions are dropped so they reload from the last committed state.
   */
  private async commitOrForget<T extends { rec: ContactRecord }>(c: Conversation, fn: (tx: Tx) => Promise<T> | T): Promise<T> {
    try {
      return await this.store.write(fn, (result) => (c.rec = result.rec))
    } catch (err) {
      c.sessions.clear()
      throw err
    }
  }

  // ---- internals: persistence and events ----

  /**
   * Changes a contact record inside the store's write queue, from its state at that moment, so
   * concurrent updates (a receipt, a hello, a decrypted block) never overwrite each other.
   * The patch function returns null to leave the record as it is.
   */
  private async updateContact(c: Conversation, patch: (rec: ContactRecord) => Partial<ContactRecord> | null): Promise<void> {
    await this.store.write(
      (tx) => {
        const change = patch(c.rec)
        if (!change) return c.rec
        const rec = { ...c.rec, ...change }
        tx.putJson(keys.contact(c.tag), rec)
        return rec
      },
      (rec) => (c.rec = rec)
    )
  }

  private async saveMeta(meta: MetaRecord): Promise<void> {
    await this.store.write((tx) => tx.putJson(keys.meta(), meta))
    this.meta = meta
  }

  private security(c: Conversation, kind: SecurityKind, detail: string): void {
    this.emitEvent({ type: 'security', event: { contact: c.id, kind, detail, at: Date.now() } })
  }

  private emitContact(c: Conversation): Contact {
    const contact = c.toContact()
    if (this.conversations.get(c.rec.pk) === c) this.emitEvent({ type: 'contact', contact })
    return contact
  }

  private emitEvent(event: CairnEvent): void {
    if (this.closing) return
    this.emit('event', event)
  }

  /** Runs a handler of peer input: a failure is reported, never thrown into the network's emitter. */
  private guard(fn: () => Promise<void> | void): void {
    const report = (err: unknown) => {
      if (!this.closing) this.emit('error-log', err)
    }
    try {
      // Synchronously: listeners on a new peer must be in place before its first frame is emitted.
      Promise.resolve(fn()).catch(report)
    } catch (err) {
      report(err)
    }
  }
}

/**
 * Blocks written with sessions this device never had, as the old part of a contact's log after my
 * identity was restored from a backup: one event for a step of them, not one per block.
 */
function orphanDetail(blocks: number[]): string {
  const first = blocks[0]
  const last = blocks[blocks.length - 1]
  return blocks.length === 1
    ? `block ${first} of the contact's log belongs to no session I know`
    : `${blocks.length} blocks of the contact's log (${first} to ${last}) belong to no session I know (written before a restore from a backup?)`
}

function toRequest(r: RequestRecord): ContactRequest {
  return { id: encodeContactId(Buffer.from(r.pk, 'hex')), name: r.name, receivedAt: r.receivedAt }
}

function preview(text: string): string {
  return text.length > 200 ? text.slice(0, 200) : text
}

function seqBytes(seq: number): Buffer {
  const b = Buffer.alloc(8)
  b.writeBigUInt64BE(BigInt(seq))
  return b
}

function errorText(err: unknown): string {
  if (err instanceof RatchetError) return `${err.code}: ${err.message}`
  return err instanceof Error ? err.message : String(err)
}

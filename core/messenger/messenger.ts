import { EventEmitter } from 'node:events'
import type Corestore from 'corestore'
import { CairnError } from '../api/errors'
import type {
  Contact,
  ContactId,
  ContactRequest,
  HistoryPage,
  HistoryQuery,
  Message,
  NetworkStatus,
  Profile,
  Settings
} from '../api/types'
import { encodeContactId, exportBackup, safetyNumber, type IdentityKeyPair } from '../identity'
import type { Network, Peer } from '../net'
import type { RequestFrame } from '../net/frames'
import { keys, seqOfKey, type Store } from '../store'
import { MessengerContext, type MessengerParts } from './context'
import { Conversation } from './conversation'
import { closeConversation, openLogs } from './conversation-logs'
import { LanSwitch } from './lan-switch'
import { cleanName } from './names'
import { onPeer, sendHello } from './peer-control'
import { PrekeyRotation } from './prekey-rotation'
import { sendReadReceipt, saveReceipts } from './receipts'
import type { ContactRecord, FormerRecord, MessageRecord } from './records'
import { ContactRequests } from './requests'
import { clearConversation, deleteMessage } from './deletion'
import { dropAppendedEnvelopes, resumeAppends, sealQueued, sendMessage } from './send'

export type { MessengerParts } from './context'

/**
 * One open profile: contacts, requests, conversations over the two logs of each pair, and the
 * network that carries them. Emits 'event' (CairnEvent). Every public method validates its input
 * and rejects with a CairnError; nothing a peer sends can throw out of an event handler.
 */
export class Messenger extends EventEmitter {
  readonly id: ContactId
  private readonly ctx: MessengerContext
  private readonly identity: IdentityKeyPair
  private readonly corestore: Corestore
  private readonly store: Store
  private readonly network: Network
  private readonly conversations: Map<string, Conversation>
  private readonly requests: ContactRequests
  private readonly lan: LanSwitch
  private readonly prekeyRotation: PrekeyRotation
  private closing: Promise<void> | null = null

  constructor(parts: MessengerParts) {
    super()
    const ctx = new MessengerContext(parts, this)
    this.ctx = ctx
    this.identity = ctx.identity
    this.corestore = ctx.corestore
    this.store = ctx.store
    this.network = ctx.network
    this.conversations = ctx.conversations
    this.requests = new ContactRequests(ctx)
    this.lan = new LanSwitch(ctx, parts.lanDiscovery)
    this.prekeyRotation = new PrekeyRotation(ctx, parts.clock, parts.prekeyPolicy)
    this.id = encodeContactId(this.identity.publicKey)
  }

  /** Who the network lets in, asked at every handshake. */
  classify(remoteKey: Buffer): 'contact' | 'blocked' | 'unknown' {
    const hex = remoteKey.toString('hex')
    const c = this.conversations.get(hex)
    if (c) return c.rec.blocked ? 'blocked' : 'contact'
    return this.requests.isRefused(hex) ? 'blocked' : 'unknown'
  }

  /** Loads contacts and requests, repairs interrupted sends, and joins the network. */
  async start(): Promise<void> {
    const { ctx } = this
    await this.requests.load()
    for await (const { key, value } of this.store.range(keys.contacts())) {
      const rec = JSON.parse(value.toString('utf8')) as ContactRecord
      const c = new Conversation(rec, key.subarray(1))
      this.conversations.set(rec.pk, c)
      c.opened = openLogs(ctx, c)
      await c.opened
      await dropAppendedEnvelopes(this.store, c)
      resumeAppends(ctx, c)
      await sealQueued(ctx, c)
    }
    this.network.on('peer', (peer: Peer) => ctx.guard(() => onPeer(ctx, peer)))
    this.network.on('request', (pk: Buffer, req: RequestFrame) => ctx.guard(() => this.requests.onRequest(pk, req)))
    this.network.on('status', () => this.lan.emitStatus())
    this.network.on('protocol-error', (pk: Buffer, reason: string) => {
      const c = this.conversations.get(pk.toString('hex'))
      if (c) ctx.security(c, 'protocol-violation', `a control frame was refused: ${reason}`)
    })
    await this.prekeyRotation.start()
    await this.network.ready()
    await this.lan.start()
    for (const c of this.conversations.values()) {
      if (c.rec.blocked) continue
      this.network.addContact(c.pk)
      if (c.rec.requested) this.network.sendRequest(c.pk, ctx.myRequest())
    }
  }

  // ---- profile and settings ----

  profile(): Profile {
    return { id: this.id, name: this.ctx.meta.name }
  }

  async setName(name: string): Promise<Profile> {
    await this.ctx.saveMeta({ ...this.ctx.meta, name: cleanName(name, 'name') })
    const profile = this.profile()
    for (const c of this.conversations.values()) if (c.peer) sendHello(this.ctx, c, c.peer)
    this.ctx.emitEvent({ type: 'profile', profile })
    return profile
  }

  settings(): Settings {
    return { name: this.ctx.meta.name, lanDiscovery: this.ctx.meta.lanDiscovery }
  }

  async updateSettings(patch: Partial<Settings>): Promise<Settings> {
    if (patch.name !== undefined) await this.setName(patch.name)
    if (patch.lanDiscovery !== undefined) {
      await this.ctx.saveMeta({ ...this.ctx.meta, lanDiscovery: patch.lanDiscovery })
      await this.lan.toggle(patch.lanDiscovery)
    }
    return this.settings()
  }

  /** My identity sealed under a separate backup passphrase, as one line of text. */
  exportIdentity(backupPassphrase: string): Promise<string> {
    return exportBackup({ identity: this.identity, name: this.ctx.meta.name }, backupPassphrase)
  }

  safetyNumber(id: ContactId): string {
    return safetyNumber(this.identity.publicKey, this.ctx.contact(id).pk)
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
    return [...this.conversations.values()].map((c) => c.toContact()).sort((a, b) => b.lastActivity - a.lastActivity)
  }

  async addContact(id: ContactId, name: string): Promise<Contact> {
    return this.requests.add(id, name)
  }

  async renameContact(id: ContactId, name: string): Promise<Contact> {
    const c = this.ctx.contact(id)
    const newName = cleanName(name, 'contact name')
    await this.ctx.updateContact(c, () => ({ name: newName }))
    return this.ctx.emitContact(c)
  }

  async removeContact(id: ContactId): Promise<void> {
    const c = this.ctx.contact(id)
    this.conversations.delete(c.rec.pk)
    await this.network.removeContact(c.pk)
    await closeConversation(c)
    await this.store.write(async (tx) => {
      tx.del(keys.contact(c.tag))
      const { theirLog, consumed, outCount, sessions } = c.rec
      tx.putJson(keys.former(c.tag), { theirLog, consumed, outCount, sessions } satisfies FormerRecord)
      for await (const { key } of this.store.range(keys.messages(c.tag))) tx.del(key)
    })
    this.ctx.emitEvent({ type: 'contact-removed', id: c.id })
    await this.ctx.epochs.advance()
  }

  async blockContact(id: ContactId): Promise<void> {
    const c = this.ctx.contact(id)
    await this.ctx.updateContact(c, () => ({ blocked: true, requested: false }))
    this.network.cancelRequest(c.pk)
    await this.network.removeContact(c.pk)
    this.network.reclassify(c.pk)
    this.ctx.emitContact(c)
  }

  async unblockContact(id: ContactId): Promise<Contact> {
    const c = this.ctx.contact(id)
    await this.ctx.updateContact(c, () => ({ blocked: false }))
    this.network.reclassify(c.pk)
    this.network.addContact(c.pk)
    return this.ctx.emitContact(c)
  }

  async setVerified(id: ContactId, verified: boolean): Promise<Contact> {
    const c = this.ctx.contact(id)
    await this.ctx.updateContact(c, () => ({ verified }))
    return this.ctx.emitContact(c)
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

  async send(id: ContactId, text: string): Promise<Message> {
    return sendMessage(this.ctx, this.ctx.contact(id), text)
  }

  async history(id: ContactId, query: HistoryQuery = {}): Promise<HistoryPage> {
    const c = this.ctx.contact(id)
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
    const c = this.ctx.contact(id)
    if (c.rec.readSeq === c.rec.nextSeq && c.rec.readBlocks === c.rec.consumed) return
    await this.ctx.updateContact(c, (r) => ({ readSeq: r.nextSeq, readBlocks: r.consumed, unread: 0 }))
    sendReadReceipt(c)
    this.ctx.emitContact(c)
  }

  async deleteMessage(id: ContactId, messageId: string): Promise<void> {
    const c = this.ctx.contact(id)
    await deleteMessage(this.ctx, c, messageId, () => this.ctx.emitEvent({ type: 'messages-deleted', contact: c.id, ids: [messageId] }))
  }

  async clearConversation(id: ContactId): Promise<void> {
    const c = this.ctx.contact(id)
    await clearConversation(this.ctx, c, () => this.ctx.emitEvent({ type: 'messages-deleted', contact: c.id, ids: 'all' }))
  }

  setTyping(id: ContactId, typing: boolean): void {
    const c = this.ctx.contact(id)
    if (c.peer && !c.rec.blocked) c.peer.send({ type: 'typing', typing })
  }

  // ---- lifecycle ----

  close(): Promise<void> {
    if (!this.closing) {
      this.ctx.closing = true
      this.closing = this.shutdown()
    }
    return this.closing
  }

  private async shutdown(): Promise<void> {
    this.prekeyRotation.stop()
    await this.lan.settle()
    await this.network.close()
    await this.lan.close()
    for (const c of this.conversations.values()) await closeConversation(c)
    for (const c of this.conversations.values()) await saveReceipts(this.ctx, c)
    await this.ctx.epochs.close()
    await this.corestore.close()
    this.emit('closed')
  }
}

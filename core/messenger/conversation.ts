import type Hypercore from 'hypercore'
import type { Contact, Message, MessageState, Presence, SecurityKind } from '../api/types'
import { CairnError } from '../api/errors'
import { ContactKey } from '../identity'
import type { LogBlock } from '../log'
import type { Peer } from '../net'
import type { ControlFrame } from '../net/frames'
import { FileShelf } from './conversation-files'
import { ConversationLogs } from './conversation-logs'
import { ContactCell } from './contact-cell'
import type { ConversationDeps } from './deps'
import { errorText } from './events'
import { Outbox } from './outbox'
import { PeerControl } from './peer-control'
import { ConversationChanges, type ChangeSite } from './conversation-changes'
import { orphanDetail, readBlocks, type Counterpart } from './receive'
import { Receipts } from './receipts'
import type { ContactRecord, MessageRecord } from './records'
import { deleteRecords } from './deletion'
import { inEventOrder } from './message-events'
import { sealQueued, writeSignal } from './send'
import { ConversationSends } from './conversation-sends'
import { SessionSet } from './sessions'
import type { Tx } from '../store'
import type { FileDescriptor } from '../blobs'
import { contactView, messageState, messageView, presenceOf } from './views'

/**
 * One contact and everything held about them: the durable record, the pair's two logs, my outbox,
 * our ratchet sessions, their receipts and the connection to them. Only its methods change them.
 */
export class Conversation {
  readonly key: ContactKey
  private readonly cell: ContactCell
  private readonly logs: ConversationLogs
  private readonly outbox: Outbox
  private readonly sessions: SessionSet
  private readonly receipts: Receipts
  private readonly control: PeerControl
  private readonly counterpart: Counterpart
  /** The files of this conversation's messages. */
  readonly files: FileShelf
  /** Reactions, edits, deletes for everyone and the disappearing-message setting. */
  readonly changes: ConversationChanges
  private readonly sends: ConversationSends
  /** Settles once my log (and theirs, when known) is open: a peer may connect before that. */
  private readonly opened: Promise<void>
  /** The last progress event said "not done yet": a final one is owed. */
  private catchingUp = false
  /** Releases the store's hold (Store.hold) taken while their log has blocks not yet consumed. */
  private storeHold: (() => void) | null = null

  constructor(
    private readonly deps: ConversationDeps,
    rec: ContactRecord,
    readonly tag: Buffer
  ) {
    this.key = ContactKey.fromHex(rec.pk)
    this.logs = new ConversationLogs(deps.corestore, tag)
    this.outbox = new Outbox(deps.store, tag, rec.outCount)
    this.sessions = new SessionSet(tag)
    this.cell = new ContactCell(deps.store, tag, rec, () => this.sessions.forget())
    this.receipts = new Receipts(rec)
    this.counterpart = { deps, key: this.key, tag, sessions: this.sessions, messageId: (seq) => this.messageId(seq) }
    this.files = new FileShelf(deps, tag, rec.theirBlobs ? Buffer.from(rec.theirBlobs, 'hex') : null, {
      contact: () => this.id,
      messageId: (seq) => this.messageId(seq),
      adopt: (key) => this.update(() => ({ theirBlobs: key.toString('hex') })),
      violation: (detail) => this.security('protocol-violation', detail)
    })
    this.control = new PeerControl(deps, this, {
      replicate: (stream) => {
        this.logs.replicateOver(stream, !this.rec.logFault)
        this.files.replicateOver(stream)
      },
      onReceipt: (kind, upTo) => this.onReceipt(kind, upTo),
      onHello: (frame) => this.onHello(frame),
      onHome: (box) => this.update((r) => (r.home === box.toString('hex') ? null : { home: box.toString('hex') }))
    })
    const site: ChangeSite = {
      counterpart: this.counterpart,
      outbox: this.outbox,
      events: deps.events,
      appended: () => this.logs.ownLength,
      record: () => this.rec,
      commit: (fn) => this.commit(fn),
      refuseIfBlocked: () => this.refuseIfBlocked(),
      resumeAppends: () => this.resumeAppends(),
      toMessage: (m, seq) => this.toMessage(m, seq),
      announce: () => this.announce(),
      deleteHere: (id) => this.deleteMessages(id),
      eraseFile: (m) => this.files.erase(m)
    }
    this.changes = new ConversationChanges(site)
    this.sends = new ConversationSends(site)
    this.opened = this.openLogs().then(() => this.outbox.dropAppended(this.logs.ownLength))
  }

  get id(): string {
    return this.key.id
  }

  get record(): Readonly<ContactRecord> {
    return this.rec
  }

  private get rec(): ContactRecord {
    return this.cell.rec
  }

  get peer(): Peer | null {
    return this.control.peer
  }

  get presence(): Presence {
    return presenceOf(this.control.peer)
  }

  /** Settles once the logs are open. */
  ready(): Promise<void> {
    return this.opened
  }

  /** A message id unique within the profile: a short form of the contact's tag and the history number. */
  messageId(seq: number): string {
    return `${this.tag.subarray(0, 6).toString('hex')}-${seq}`
  }

  ownsLog(key: Buffer): boolean {
    return this.logs.isMine(key) || this.rec.theirLog === key.toString('hex')
  }

  /** As durably stored (see ContactCell.durable). */
  toContact(): Contact {
    return contactView(this.cell.durable, this.id, this.presence)
  }

  toMessage(m: MessageRecord, seq: number): Message {
    const appended = this.logs.mine ? this.logs.ownLength : 0
    const progress = { readSeq: this.rec.readSeq, heard: this.receipts.heard, atHome: this.rec.atHome ?? 0, appended }
    return messageView(m, this.id, messageState(m, seq, progress), m.file ? this.files.info(m) : undefined)
  }

  /** Reports the contact as it now stands, unless it is no longer listed; returns it either way. */
  announce(): Contact {
    const contact = this.toContact()
    if (this.deps.listed(this)) this.deps.events.emit({ type: 'contact', contact })
    return contact
  }

  security(kind: SecurityKind, detail: string): void {
    this.deps.events.emit({ type: 'security', event: { contact: this.id, kind, detail, at: Date.now() } })
  }

  /** See ContactCell.update. */
  update(patch: (rec: ContactRecord) => Partial<ContactRecord> | null): Promise<void> {
    return this.cell.update(patch)
  }

  // ---- my log ----

  refuseIfBlocked(): void {
    if (this.rec.blocked) throw new CairnError('blocked', 'this contact is blocked; unblock them to write to them')
  }

  /** See ConversationSends.send. */
  send(text: string, extra: { replyTo?: string; file?: FileDescriptor; clientId?: string } = {}): Promise<Message> {
    return this.sends.send(text, extra)
  }

  /** Encrypts what waited for a session (see sealQueued) and appends it. */
  async sealQueued(): Promise<void> {
    if (!this.rec.queued?.length || this.rec.blocked) return
    const sealed = await this.commit((rec, tx) => sealQueued(this.counterpart, rec, tx))
    for (const { block, envelope, seq } of sealed) this.outbox.add(block, envelope, seq)
    this.resumeAppends()
  }

  /**
   * Deletes one message, or all of them (null), on this device, and the chunks of their files from
   * whichever store holds them; the caller ends the store epoch.
   */
  async deleteMessages(messageId: string | null): Promise<void> {
    const deleted = await this.commit((rec, tx) => deleteRecords(this.counterpart, rec, tx, messageId))
    for (const m of deleted) await this.files.erase(m)
    this.deps.events.emit({ type: 'messages-deleted', contact: this.id, ids: messageId === null ? 'all' : [messageId] })
    this.announce()
  }

  /** A payload that is no message of this history (a group invitation), sealed and appended like one. */
  async sendSignal(payload: Buffer): Promise<void> {
    const { block, envelope } = await this.commit((rec, tx) => writeSignal(this.counterpart, this.outbox, this.logs.ownLength, rec, tx, payload))
    this.outbox.add(block, envelope, null)
    this.resumeAppends()
  }

  /** Appends, in order, every envelope committed to my log but not yet in it. */
  resumeAppends(): void {
    const { events } = this.deps
    this.outbox.resume(
      this.logs.mine,
      (seq) => events.emit({ type: 'message-state', contact: this.id, id: this.messageId(seq), state: 'sent' }),
      (err) => events.report(err)
    )
  }

  // ---- their log ----

  /** Decrypts a step of consecutive blocks of their log and commits them with the new consumed mark. */
  async consume(blocks: LogBlock[]): Promise<void> {
    const { events } = this.deps
    const { received, updated, erased, problems, orphans, usedOneTime, signals } = await this.commit((rec, tx) => readBlocks(this.counterpart, rec, tx, blocks))
    await this.deps.oneTimeUsed(usedOneTime)
    if (signals > 0) events.guard(() => this.deps.groupSignals(this))
    if (orphans.length > 0) this.security('decrypt-failed', orphanDetail(orphans))
    for (const p of problems) this.security(p.kind, p.detail)
    for (const { message, seq } of inEventOrder([...received, ...updated])) events.emit({ type: 'message', message: this.toMessage(message, seq), seq: message.eventSeq })
    for (const { message, seq } of received) if (message.file) events.guard(() => this.files.offered(message, seq))
    // awaited, so that a close right after it cannot leave their text behind in the store's epoch
    if (erased.length > 0) await this.changes.eraseDeleted(erased).catch((err: unknown) => events.report(err))
    this.control.send({ type: 'receipt', kind: 'delivered', upTo: this.rec.consumed - 1 })
    const total = this.logs.theirLength ?? this.rec.consumed
    const done = this.rec.consumed
    this.holdStore(total > done)
    // a catch-up that reported progress always gets its final "done", even when its last step held one block
    if (blocks.length > 1 || total > done || this.catchingUp) {
      this.catchingUp = total > done
      events.emit({ type: 'sync', progress: { contact: this.id, done, total } })
    }
    if (received.length > 0 || updated.length > 0) this.announce()
    // A session they started lets what I queued for them go out now.
    if (received.length > 0) await this.sealQueued()
  }

  async markRead(): Promise<void> {
    if (this.rec.readSeq === this.rec.nextSeq && this.rec.readBlocks === this.rec.consumed) return
    await this.update((r) => ({ readSeq: r.nextSeq, readBlocks: r.consumed, unread: 0 }))
    this.sendReadReceipt()
    this.announce()
  }

  // ---- the connection ----

  /** Takes the contact's new connection: the control protocol runs over it from here on. */
  attach(peer: Peer): void {
    if (this.rec.blocked) return peer.close()
    this.control.attach(peer)
  }

  /** The pair's two cores as open here, for a home node to keep or a visit to replicate. */
  get cores(): { mine: Hypercore | null; theirs: Hypercore | null } {
    return { mine: this.logs.mine, theirs: this.rec.logFault ? null : this.logs.theirsCore }
  }

  /** Their home node holds my log below `upTo`: those messages not yet delivered are 'home'. */
  async reachedHome(upTo: number): Promise<void> {
    const from = Math.max(this.rec.atHome ?? 0, this.receipts.heard.delivered)
    const to = Math.min(upTo, this.rec.outCount)
    if (to <= (this.rec.atHome ?? 0)) return
    await this.update(() => ({ atHome: to }))
    await this.announceStates(from, to, 'home')
  }

  sendHello(): void {
    this.control.hello(this.logs.mine?.key ?? null)
  }

  typing(typing: boolean): void {
    if (!this.rec.blocked) this.control.send({ type: 'typing', typing })
  }

  /** A call control frame to the contact; false when not connected. */
  sendCallFrame(frame: Buffer): boolean {
    if (this.rec.blocked || this.control.peer === null) return false
    this.control.send({ type: 'call', frame })
    return true
  }

  announcePrekeys(bundle: Buffer): void {
    this.control.send({ type: 'prekeys', bundle })
  }

  /** Writes the receipts heard since the record was last written, if any. */
  async saveReceipts(): Promise<void> {
    this.receipts.cancelSave()
    if (!this.deps.listed(this)) return
    await this.update((r) => (this.deps.listed(this) ? this.receipts.patch(r) : null))
  }

  /** Closes both logs once the appends under way are done. */
  async close(): Promise<void> {
    await this.files.close()
    await this.logs.closeTheirs()
    this.holdStore(false)
    await this.outbox.settled()
    await this.logs.closeOwn()
  }

  // ---- inside ----

  private commit<T>(fn: (rec: ContactRecord, tx: Tx) => Promise<T>): Promise<T> {
    return this.cell.commit(fn)
  }

  private async openLogs(): Promise<void> {
    await this.logs.openOwn()
    await this.files.open()
    if (this.rec.theirLog) await this.openTheirs(Buffer.from(this.rec.theirLog, 'hex'))
  }

  /** Opens their log and, unless it was found rewritten, watches and reads it. */
  private async openTheirs(key: Buffer): Promise<void> {
    const trusted = !this.rec.logFault
    await this.logs.openTheirs(key, trusted, this.rec.consumed, {
      consume: (blocks) => this.consume(blocks),
      integrity: (kind, detail) => {
        this.security(kind, detail)
        if (kind === 'log-fork') this.deps.events.guard(() => this.distrustLog(detail))
      },
      failed: (err) => this.security('log-invalid', `reading the contact's log stopped: ${errorText(err)}`)
    })
    const peer = this.control.peer
    if (trusted && peer) this.logs.replicateTheirs(peer.stream)
  }

  /**
   * A rewritten log is never read again: what was consumed stays, nothing more is accepted from it,
   * and it is no longer replicated. The user sees the security event and decides what to do.
   */
  private async distrustLog(why: string): Promise<void> {
    if (this.rec.logFault) return
    await this.update(() => ({ logFault: why }))
    await this.logs.stopReading()
    this.holdStore(false)
  }

  /** While a catch-up of their log is under way, the store applies its journals after it, not between its steps. */
  private holdStore(catchingUp: boolean): void {
    if (catchingUp) return void (this.storeHold ??= this.deps.store.hold())
    this.storeHold?.()
    this.storeHold = null
  }

  private sendReadReceipt(): void {
    if (this.rec.readBlocks > 0) this.control.send({ type: 'receipt', kind: 'read', upTo: this.rec.readBlocks - 1 })
  }

  private async onReceipt(kind: 'delivered' | 'read', upTo: number): Promise<void> {
    if (!Number.isSafeInteger(upTo) || upTo < 0 || upTo >= this.rec.outCount) {
      return this.security('protocol-violation', `a ${kind} receipt names block ${upTo}, which I never wrote`)
    }
    const from = this.receipts.hear(kind, upTo)
    if (from === null) return
    this.receipts.scheduleSave(() => this.deps.events.guard(() => this.saveReceipts()))
    await this.announceStates(from, upTo + 1, kind)
  }

  /** The messages of blocks [from, to) of my log are now in this state. */
  private async announceStates(from: number, to: number, state: MessageState): Promise<void> {
    for (let block = from; block < to; block++) {
      const seq = await this.outbox.seqOf(block)
      if (seq !== null) this.deps.events.emit({ type: 'message-state', contact: this.id, id: this.messageId(seq), state })
    }
  }

  private async onHello(frame: Extract<ControlFrame, { type: 'hello' }>): Promise<void> {
    await this.opened
    const logKey = frame.logKey.toString('hex')
    const bundle = frame.bundle ? this.control.verifiedBundle(frame.bundle) : null
    const known = this.deps.knownLog(frame.logKey)
    if (this.rec.theirLog !== logKey && known) {
      this.security('protocol-violation', 'the contact announced a log that belongs to another conversation')
    }
    const adopt = this.rec.theirLog !== logKey && !known
    // Only their identity key opens this connection, so a new log is theirs: they restored their
    // identity from a backup on a new device, whose sessions and logs start afresh.
    const renewed = adopt && this.rec.theirLog !== null
    if (renewed) {
      this.security('log-renewed', 'the contact started a new log (restored from a backup?); their old one is no longer read')
      await this.logs.closeTheirs()
      await this.files.renewTheirs()
      this.sessions.forget()
    }
    await this.update((r) => ({
      announcedName: frame.name,
      theirLog: adopt ? logKey : r.theirLog,
      bundle: bundle ?? r.bundle,
      ...(renewed ? { consumed: 0, readBlocks: 0, logFault: null, sessions: [], theirBlobs: null } : {})
    }))
    if (adopt && !this.logs.hasTheirs) {
      await this.openTheirs(frame.logKey)
      this.deps.logAdopted()
    }
    // Receipts name blocks of the log their hello just named, never of one they no longer have.
    if (this.rec.consumed > 0) this.control.send({ type: 'receipt', kind: 'delivered', upTo: this.rec.consumed - 1 })
    this.sendReadReceipt()
    this.announce()
    await this.sealQueued()
  }
}

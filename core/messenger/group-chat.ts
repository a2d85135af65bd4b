// One group as a conversation of this profile: the group's replica (core/groups), my log for it,
// the feed that reads every member's log, a GroupSwarm on each DHT the node runs, the group channel
// on each member connection, and the record, snapshot and pairwise sessions in the encrypted store.
//
// My own blocks are written snapshot first: the snapshot (with my sending chain already advanced) is
// committed before the blocks reach my log, so a crash in between can skip a message key but never
// use one twice. Blocks read from others are persisted after they are taken; a crash before that
// re-reads them from the logs on the next open, against the sessions of the last snapshot.
import type Corestore from 'corestore'
import type HyperDHT from 'hyperdht'
import type { NoiseSecretStream } from 'hyperdht'
import Hypercore from 'hypercore'
import type { GroupInfo, GroupMessage, GroupReceipts } from '../api/types'
import { CairnError } from '../api/errors'
import { randomBytes } from '../crypto'
import { Group, GroupChannel, GroupFeed, openGroupLog, RatchetSealer, type Entry, type GroupChannelFrame, type Invite } from '../groups'
import type { IdentityKeyPair } from '../identity'
import type { SignedPrekey } from '../ratchet'
import { keys, type Store } from '../store'
import type { BundleBook } from './group-bundles'
import { GroupSwarms } from './group-swarms'
import { groupView, idOf, lineId, lineView, securityView, type People } from './group-views'
import type { EventSink } from './events'
import { errorText } from './events'
import type { GroupRecord } from './records'

export interface GroupChatDeps {
  store: Store
  corestore: Corestore
  identity: IdentityKeyPair
  events: EventSink
  bundles: BundleBook
  people: People
  prekey(id: number): SignedPrekey | null
  dhts(): HyperDHT[]
}

const FRAME_EVERY_MS = 250
const PERSIST_AFTER_MS = 300

const hex = (b: Buffer) => b.toString('hex')

export class GroupChat {
  private readonly feed: GroupFeed
  private readonly swarms: GroupSwarms
  private readonly channels = new Set<{ channel: GroupChannel; remoteLog: Buffer }>()
  private readonly shown = new Set<string>()
  private queue: Promise<unknown> = Promise.resolve()
  private closed = false
  private frameTimer: NodeJS.Timeout | null = null
  private persistTimer: NodeJS.Timeout | null = null
  private securitySeen = 0
  /** The member list the channels last heard from me: a new one sends them my frame again. */
  private membersSaid = ''

  private constructor(
    private readonly deps: GroupChatDeps,
    readonly tag: Buffer,
    public rec: GroupRecord,
    readonly group: Group,
    private readonly sealer: RatchetSealer,
    private readonly log: Hypercore
  ) {
    this.feed = new GroupFeed(
      deps.corestore,
      group,
      log,
      (p) => this.security(`reading a member's log stopped: ${errorText(p.error)}`),
      () => this.changed()
    )
    this.swarms = new GroupSwarms(group, this.feed, log.keyPair!, (conn) => this.onMember(conn), (err) => deps.events.report(err))
  }

  private static sealer(deps: GroupChatDeps): RatchetSealer {
    return new RatchetSealer(deps.identity, (m) => deps.bundles.get(m), (id) => deps.prekey(id))
  }

  private static record(id: Buffer, status: GroupRecord['status'], nameHint: string): GroupRecord {
    const now = Date.now()
    return { id: hex(id), status, nameHint, createdAt: now, lastActivity: now, lastMessage: null, readIn: 0, readMarks: {}, invited: [], heard: {} }
  }

  static async create(deps: GroupChatDeps, name: string): Promise<GroupChat> {
    const tag = randomBytes(16)
    const log = await openGroupLog(deps.corestore, tag)
    const sealer = GroupChat.sealer(deps)
    const { group, entry } = Group.create(name, { me: deps.identity, myLog: log.key as Buffer, sealer })
    const chat = new GroupChat(deps, tag, GroupChat.record(group.id, 'member', name), group, sealer, log)
    await chat.persist()
    await chat.feed.append([entry])
    chat.start()
    return chat
  }

  static async join(deps: GroupChatDeps, invite: Invite): Promise<GroupChat> {
    const tag = randomBytes(16)
    const log = await openGroupLog(deps.corestore, tag)
    const sealer = GroupChat.sealer(deps)
    const group = new Group(invite.genesis, { me: deps.identity, myLog: log.key as Buffer, sealer, invitedSecret: invite.groupSecret })
    const chat = new GroupChat(deps, tag, GroupChat.record(group.id, 'joining', invite.name), group, sealer, log)
    await chat.persist()
    await chat.feed.follow()
    chat.start()
    return chat
  }

  /** A group from the store; every log is read in again (blocks processed before are not decrypted twice). */
  static async open(deps: GroupChatDeps, tag: Buffer, rec: GroupRecord): Promise<GroupChat> {
    const [snapshot, sealerBytes] = await Promise.all([deps.store.get(keys.groupState(tag)), deps.store.get(keys.groupSealer(tag))])
    if (!snapshot || !sealerBytes) throw new CairnError('corrupt-profile', `group ${rec.id.slice(0, 8)} has no stored state`)
    const sealer = RatchetSealer.decode(sealerBytes, deps.identity, (m) => deps.bundles.get(m), (id) => deps.prekey(id))
    const group = Group.restore(snapshot, { me: deps.identity, sealer })
    const log = await openGroupLog(deps.corestore, tag)
    const chat = new GroupChat(deps, tag, rec, group, sealer, log)
    await chat.feed.follow()
    if (rec.status === 'joining' || rec.status === 'member') chat.start()
    return chat
  }

  get id(): string {
    return this.rec.id
  }

  get logKey(): Buffer {
    return this.log.key as Buffer
  }

  info(): GroupInfo {
    return groupView(this.deps.people, this.group, this.rec, this.unread())
  }

  /** Lines of the history in the group's order, oldest first. */
  lines(): GroupMessage[] {
    return this.group.timeline().map((item) => lineView(this.deps.people, this.id, item, this.counts(item.log, item.seq, item.author)))
  }

  receipts(id: string): GroupReceipts {
    const item = this.group.timeline().find((i) => lineId(i) === id)
    if (!item) throw new CairnError('not-found', 'no such message in this group')
    const { delivered, read } = this.whoHas(item.log, item.seq, item.author)
    return { delivered: delivered.map(idOf), read: read.map(idOf), of: this.group.members().length - 1 }
  }

  // ---- writing ----

  send(text: Buffer): Promise<GroupMessage> {
    return this.act(() => this.group.send(text)).then((entries) => {
      const last = entries[entries.length - 1]
      return this.lines().find((l) => l.id === lineId({ log: this.logKey, seq: last.seq })) as GroupMessage
    })
  }

  /** Runs one of the group's writes: the blocks it returns are persisted (snapshot first), then appended. */
  act(write: () => Entry[]): Promise<Entry[]> {
    return this.serial(async () => {
      const entries = write()
      if (entries.length === 0) return entries
      await this.persist()
      await this.feed.append(entries)
      this.changed()
      return entries
    })
  }

  async markRead(): Promise<void> {
    const readMarks = Object.fromEntries(this.group.logs().map((l) => [hex(l), this.group.length(l)]))
    this.rec = { ...this.rec, readIn: this.incoming(), readMarks }
    await this.serial(() => this.persist())
    this.broadcast()
    this.announce()
  }

  /** Record changes that are not the group's own (invitations under way). */
  update(patch: Partial<GroupRecord>): Promise<void> {
    this.rec = { ...this.rec, ...patch }
    return this.serial(() => this.persist())
  }

  // ---- what arrives ----

  /** The group took blocks (mine or others'): new lines, a changed membership, my own status. */
  private changed(): void {
    if (this.closed) return
    this.rec.status = this.statusNow()
    for (const item of this.group.timeline()) {
      const id = lineId(item)
      if (this.shown.has(id)) continue
      this.shown.add(id)
      this.scheduleFrame()
      if (this.group.restored(item.log, item.seq)) continue
      const line = lineView(this.deps.people, this.id, item, this.counts(item.log, item.seq, item.author))
      if (line.kind === 'text' && !line.unreadable) {
        this.rec.lastMessage = { direction: line.direction, text: line.text.slice(0, 200), at: line.sentAt }
        this.rec.lastActivity = Date.now()
      }
      this.deps.events.emit({ type: 'group-message', message: line })
    }
    this.announce()
    const members = this.group.members().map((m) => hex(m.identity)).join()
    if (members !== this.membersSaid) {
      this.membersSaid = members
      this.broadcast()
    }
    this.swarms.refreshIfChanged(this.rec.status)
    this.reportSecurity()
    this.schedulePersist()
  }

  /** Refusals the group's rules made, forks, sealed keys that did not open: each reported once. */
  private reportSecurity(): void {
    const found = this.group.security()
    for (const e of found.slice(this.securitySeen)) this.deps.events.emit({ type: 'security', event: securityView(e, this.group.name, this.id) })
    this.securitySeen = found.length
  }

  /** Blocks read from others are persisted a moment later, one write for a burst of them. */
  private schedulePersist(): void {
    if (this.persistTimer || this.closed) return
    this.persistTimer = setTimeout(() => {
      this.persistTimer = null
      this.deps.events.guard(() => this.serial(() => this.persist()))
    }, PERSIST_AFTER_MS)
  }

  /** An admin told me over our 1:1 session that they removed me (I may never read the block itself). */
  async removedByNotice(): Promise<void> {
    if (this.rec.status === 'removed' || this.rec.status === 'left') return
    await this.update({ status: 'removed', removedNotice: true })
    await this.swarms.close()
    this.announce()
  }

  private statusNow(): GroupRecord['status'] {
    const s = this.rec.status
    if (this.rec.removedNotice) return s
    if (this.group.isMember()) return 'member'
    if (s !== 'member') return s
    const me = this.deps.identity.publicKey
    const left = this.group.timeline().some((i) => i.op?.type === 'leave' && i.author.equals(me))
    return left ? 'left' : 'removed'
  }

  private onFrame(remoteLog: Buffer, frame: GroupChannelFrame): void {
    // Bundles of people whose addition has not reached me yet are kept too (the book is bounded).
    let learned = false
    for (const b of frame.bundles) if (this.deps.bundles.learn(b.identity, b.bundle)) learned = true
    if (learned) {
      this.deps.events.guard(() => this.act(() => this.group.shareKey()).then(() => undefined))
      this.broadcast()
    }
    const mine = hex(this.logKey)
    const from = this.group.members().find((m) => m.log.equals(remoteLog))
    if (!from || from.identity.equals(this.deps.identity.publicKey)) return
    const delivered = frame.delivered.find((l) => hex(l.log) === mine)?.length ?? 0
    const read = frame.read.find((l) => hex(l.log) === mine)?.length ?? 0
    const was = this.rec.heard[hex(remoteLog)] ?? { delivered: 0, read: 0 }
    const now = { delivered: Math.max(was.delivered, Math.min(delivered, this.log.length)), read: Math.max(was.read, Math.min(read, this.log.length)) }
    if (now.delivered === was.delivered && now.read === was.read) return
    this.rec.heard = { ...this.rec.heard, [hex(remoteLog)]: now }
    this.deps.events.emit({ type: 'group-receipts', group: this.id })
    this.schedulePersist()
  }

  // ---- the swarm ----

  private start(): void {
    for (const dht of this.deps.dhts()) this.swarms.add(dht)
    void this.swarms.refresh()
  }

  addDht(dht: HyperDHT): void {
    this.swarms.add(dht)
  }

  removeDht(dht: HyperDHT): Promise<void> {
    return this.swarms.remove(dht)
  }

  private onMember(conn: NoiseSecretStream): void {
    const remoteLog = Hypercore.key(conn.remotePublicKey)
    let entry: { channel: GroupChannel; remoteLog: Buffer } | null = null
    try {
      const channel = new GroupChannel(
        conn,
        (frame) => this.deps.events.guard(() => this.onFrame(remoteLog, frame)),
        (err) => this.security(`a member sent a malformed group channel frame: ${err.message}`),
        () => channel.send(this.frame())
      )
      entry = { channel, remoteLog }
    } catch (err) {
      return this.deps.events.report(err)
    }
    this.channels.add(entry)
    conn.on('close', () => this.channels.delete(entry))
  }

  private frame(): GroupChannelFrame {
    const bundles = this.group.members().flatMap((m) => {
      const bundle = this.deps.bundles.bytes(m.identity)
      return bundle ? [{ identity: m.identity, bundle }] : []
    })
    const delivered = this.group.logs().map((log) => ({ log, length: this.group.length(log) }))
    const read = Object.entries(this.rec.readMarks).map(([log, length]) => ({ log: Buffer.from(log, 'hex'), length }))
    return { bundles, delivered: delivered.slice(0, 256), read: read.slice(0, 256) }
  }

  /** My delivered lengths grew: the members connected to me hear it, at most a few times a second. */
  private scheduleFrame(): void {
    if (this.frameTimer || this.closed) return
    this.frameTimer = setTimeout(() => {
      this.frameTimer = null
      this.broadcast()
    }, FRAME_EVERY_MS)
  }

  private broadcast(): void {
    for (const { channel } of this.channels) channel.send(this.frame())
  }

  // ---- inside ----

  private whoHas(log: Buffer, seq: number, author: Buffer): { delivered: Buffer[]; read: Buffer[] } {
    const delivered = new Map(this.group.seenBy(log, seq).map((id) => [hex(id), id]))
    const read: Buffer[] = []
    if (author.equals(this.deps.identity.publicKey)) {
      for (const m of this.group.members()) {
        const heard = this.rec.heard[hex(m.log)]
        if (!heard || m.identity.equals(author)) continue
        if (heard.delivered > seq) delivered.set(hex(m.identity), m.identity)
        if (heard.read > seq) read.push(m.identity)
      }
    }
    return { delivered: [...delivered.values()], read }
  }

  private counts(log: Buffer, seq: number, author: Buffer): { delivered: number; read: number; of: number } {
    if (!author.equals(this.deps.identity.publicKey)) return { delivered: 0, read: 0, of: 0 }
    const { delivered, read } = this.whoHas(log, seq, author)
    return { delivered: delivered.length, read: read.length, of: Math.max(0, this.group.members().length - 1) }
  }

  private incoming(): number {
    const me = this.deps.identity.publicKey
    return this.group.timeline().filter((i) => !i.op && i.plaintext && !i.author.equals(me)).length
  }

  private unread(): number {
    return Math.max(0, this.incoming() - this.rec.readIn)
  }

  private announce(): void {
    this.deps.events.emit({ type: 'group', group: this.info() })
  }

  private security(detail: string): void {
    this.deps.events.logError(new Error(`[cairn/groups] group ${this.id.slice(0, 8)}: ${detail}`))
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn)
    this.queue = run.catch(() => undefined)
    return run
  }

  private persist(): Promise<void> {
    if (this.deps.store.isClosed) return Promise.resolve()
    return this.deps.store.write((tx) => {
      tx.putJson(keys.group(this.tag), this.rec)
      tx.put(keys.groupState(this.tag), this.group.snapshot())
      tx.put(keys.groupSealer(this.tag), this.sealer.encode())
    })
  }

  /** Closes the group and deletes its record, snapshot and sessions here (my log stays in the core store). */
  async forget(): Promise<void> {
    await this.close()
    await this.deps.store.write((tx) => {
      tx.del(keys.group(this.tag))
      tx.del(keys.groupState(this.tag))
      tx.del(keys.groupSealer(this.tag))
    })
  }

  async close(): Promise<void> {
    this.closed = true
    if (this.frameTimer) clearTimeout(this.frameTimer)
    if (this.persistTimer) {
      clearTimeout(this.persistTimer)
      this.persistTimer = null
      await this.serial(() => this.persist()).catch((err) => this.deps.events.report(err))
    }
    await this.swarms.close()
    await this.queue
    await this.feed.close()
    await this.log.close()
  }
}

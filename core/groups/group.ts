import { isEd25519PublicKey, randomBytes } from '../crypto'
import type { IdentityKeyPair } from '../identity'
import { decodeEntry, encodeEntry, messageAd, type Body, type Entry, type EntryFields, type Head, type Op } from './entry'
import { GroupError, type GroupErrorCode } from './errors'
import type { ForkEvidence } from './forks'
import { History, precedes, type HeadConflict, type Node } from './history'
import { evaluate, extend, groupIdOf, type Genesis, type GroupState, type Member, type Refusal } from './membership'
import { Keyring } from './keyring'
import type { Sealer } from './share'
import { decodeSnapshot, encodeSnapshot } from './snapshot'
import { GROUP_SECRET_BYTES, currentTopics } from './topic'

export interface GroupMessage {
  author: Buffer
  seq: number
  /** The plaintext, or null when this member holds no key for it (sent before they joined, after they left). */
  plaintext: Buffer | null
  unreadable: GroupErrorCode | null
}

/** An accepted message or membership operation, in the group's one order. */
export interface TimelineItem {
  log: Buffer
  author: Buffer
  seq: number
  /** The operation, or null for a message. */
  op: Op | null
  plaintext: Buffer | null
  unreadable: GroupErrorCode | null
}

export type GroupSecurityEvent =
  | { kind: 'fork'; evidence: ForkEvidence }
  | { kind: 'head-conflict'; conflict: HeadConflict }
  | { kind: 'bad-share'; author: Buffer; detail: string }
  | { kind: 'refused'; author: Buffer; seq: number; reason: string }

export interface GroupOptions {
  me: IdentityKeyPair
  /** The key of my own log for this group (a Hypercore only I can write). */
  myLog: Buffer
  sealer: Sealer
  /** ms since epoch; injectable so the weekly rotation can be tested. */
  now?: () => number
  /** The group secret my invitation carried: the swarm topic until an admin's sender key reaches me. */
  invitedSecret?: Buffer
}

/** What an admin hands a new member (over their pairwise session) so they can find the group's swarm. */
export interface Invitation {
  genesis: Genesis
  groupSecret: Buffer
}

const hex = (b: Buffer) => b.toString('hex')

/**
 * One member's replica of one group: takes blocks from every member's log, delivers them in causal
 * order, keeps the sender keys, decrypts, and writes this member's own blocks. The membership and
 * the order are recomputed from the delivered blocks alone (membership.ts), so every member who
 * holds the same blocks sees the same group.
 */
export class Group {
  private readonly history = new History()
  private readonly me: IdentityKeyPair
  private readonly myWriter: number
  private readonly now: () => number
  private readonly keys: Keyring
  private readonly authors: (Buffer | undefined)[] = []
  private readonly invitedSecret: Buffer | null
  /** Per log, how many blocks a restored keyring has processed already (they are not processed again). */
  private readonly processed = new Map<string, number>()
  private cached: GroupState | null = null
  /** The evaluated state my sender key was last checked against (a new one means the membership may have changed). */
  private checkedAgainst: GroupState | null = null

  constructor(
    readonly genesis: Genesis,
    opts: GroupOptions
  ) {
    this.me = opts.me
    this.keys = new Keyring(opts.me, opts.sealer)
    this.now = opts.now ?? Date.now
    this.invitedSecret = opts.invitedSecret ? Buffer.from(opts.invitedSecret) : null
    this.history.addWriter(genesis.creatorLog)
    this.authors[0] = genesis.creator
    this.myWriter = this.history.addWriter(opts.myLog)
  }

  /**
   * A group from its snapshot. Feed it every log from the start again (the logs are the record of
   * the blocks); blocks it had processed are not decrypted twice, their records come from the snapshot.
   */
  static restore(bytes: Uint8Array, opts: Omit<GroupOptions, 'myLog' | 'invitedSecret'>): Group {
    const s = decodeSnapshot(bytes)
    const group = new Group(s.genesis, { ...opts, myLog: s.myLog, invitedSecret: s.invitedSecret ?? undefined })
    group.keys.restore(s)
    for (const p of s.processed) group.processed.set(hex(p.log), p.length)
    return group
  }

  /** My state of this group to persist (it holds secrets: store it encrypted). */
  snapshot(): Buffer {
    const processed = this.history.logs.map((log, w) => ({
      log,
      length: Math.max(this.history.length(w), this.processed.get(hex(log)) ?? 0)
    }))
    const myLog = this.history.logs[this.myWriter]
    return encodeSnapshot({ genesis: this.genesis, myLog, invitedSecret: this.invitedSecret, processed, ...this.keys.state() })
  }

  /** A new group with me as its only member and admin; `entry` is block 0 of my log. */
  static create(name: string, opts: GroupOptions): { group: Group; entry: Entry } {
    const nonce = randomBytes(32)
    const genesis = { group: groupIdOf(opts.me.publicKey, nonce), creator: Buffer.from(opts.me.publicKey), creatorLog: opts.myLog }
    const group = new Group(genesis, { ...opts, invitedSecret: randomBytes(GROUP_SECRET_BYTES) })
    return { group, entry: group.write({ kind: 'op', op: { type: 'create', nonce, name } }) }
  }

  get id(): Buffer {
    return this.genesis.group
  }

  get state(): GroupState {
    if (!this.cached) this.cached = evaluate(this.history.ordered, this.genesis, this.history.logs)
    return this.cached
  }

  get name(): string {
    return this.state.name
  }

  members(): Member[] {
    return [...this.state.members.values()]
  }

  isMember(identity: Buffer = this.me.publicKey): boolean {
    return this.state.members.has(hex(identity))
  }

  /** Logs I know of (named by the genesis or by a delivered add): the ones to replicate and feed in. */
  logs(): Buffer[] {
    return this.history.logs.slice()
  }

  /** Whether block `seq` of `log` was processed before the snapshot this group was restored from. */
  restored(log: Buffer, seq: number): boolean {
    return seq < (this.processed.get(hex(log)) ?? 0)
  }

  /** Blocks of `log` delivered (their predecessors all here). */
  length(log: Buffer): number {
    const w = this.history.writerOf(log)
    return w === undefined ? 0 : this.history.length(w)
  }

  /** The position of the next block of `log` to ingest (blocks waiting for predecessors count as held). */
  nextIndex(log: Buffer): number {
    const w = this.history.writerOf(log)
    return w === undefined ? 0 : this.history.held(w)
  }

  /** Accepted messages in the group's one order. */
  messages(): GroupMessage[] {
    return this.state.accepted
      .filter((n) => n.entry.body.kind === 'message')
      .map((n) => {
        const r = this.keys.record(this.history.logs[n.writer], n.entry.seq)
        const plaintext = r?.plaintext ?? null
        return { author: n.entry.author, seq: n.entry.seq, plaintext, unreadable: plaintext ? null : (r?.unreadable ?? 'no-sender-key') }
      })
  }

  /** Accepted messages and membership operations in the group's one order (sender key blocks left out). */
  timeline(): TimelineItem[] {
    return this.state.accepted
      .filter((n) => n.entry.body.kind !== 'sender-key')
      .map((n) => {
        const log = this.history.logs[n.writer]
        const base = { log, author: n.entry.author, seq: n.entry.seq }
        const body = n.entry.body
        if (body.kind === 'op') return { ...base, op: body.op, plaintext: null, unreadable: null }
        const r = this.keys.record(log, n.entry.seq)
        const plaintext = r?.plaintext ?? null
        return { ...base, op: null, plaintext, unreadable: plaintext ? null : (r?.unreadable ?? 'no-sender-key') }
      })
  }

  /**
   * Current members other than the block's author whose own signed blocks show they had block `seq`
   * of `log` (its position is in the causal past of their latest delivered block).
   */
  seenBy(log: Buffer, seq: number): Buffer[] {
    const w = this.history.writerOf(log)
    if (w === undefined) return []
    const out: Buffer[] = []
    for (const m of this.members()) {
      const mw = this.history.writerOf(m.log)
      if (mw === undefined || mw === w) continue
      const last = this.history.node(mw, this.history.length(mw) - 1)
      if (last && (last.vc[w] ?? 0) > seq) out.push(m.identity)
    }
    return out
  }

  /**
   * My sender key for members who lacked it and can be reached now (their prekey bundle arrived
   * since): blocks to append, or none.
   */
  shareKey(): Entry[] {
    if (!this.isMember()) return []
    this.checkedAgainst = null
    return this.maintainSenderKey()
  }

  security(): GroupSecurityEvent[] {
    const refused = this.state.refused.map((r: Refusal): GroupSecurityEvent => ({
      kind: 'refused',
      author: r.node.entry.author,
      seq: r.node.entry.seq,
      reason: r.reason
    }))
    return [
      ...this.history.forks.map((evidence): GroupSecurityEvent => ({ kind: 'fork', evidence })),
      ...this.history.conflicts.map((conflict): GroupSecurityEvent => ({ kind: 'head-conflict', conflict })),
      ...this.keys.badShares.map((b): GroupSecurityEvent => ({ kind: 'bad-share', ...b })),
      ...refused
    ]
  }

  /**
   * Takes block `seq` of `log`. Throws GroupError (and keeps nothing of it) for a block that is not
   * valid here: malformed, oversized, for another group, from an unknown log, not its author's,
   * replayed, out of order, a fork. Returns how many blocks became deliverable.
   */
  ingest(log: Buffer, seq: number, bytes: Uint8Array): number {
    const entry = decodeEntry(bytes)
    if (!entry.group.equals(this.genesis.group)) throw new GroupError('unknown-group', 'the block belongs to another group')
    const writer = this.history.writerOf(log)
    if (writer === undefined) throw new GroupError('unknown-writer', 'no membership operation names this log')
    if (entry.seq !== seq) throw new GroupError('out-of-order', `the block says position ${entry.seq}, it was read at ${seq}`)
    const author = this.authors[writer]
    if (author && !author.equals(entry.author)) throw new GroupError('wrong-author', 'the block is not signed by the author of its log')
    const delivered = this.history.offer(writer, entry)
    this.authors[writer] = entry.author
    this.process(delivered)
    return delivered.length
  }

  /** The add, then my sender key for the new member, so they can read my next message and find the swarm. */
  addMember(identity: Buffer, log: Buffer): Entry[] {
    if (!isEd25519PublicKey(identity)) throw new GroupError('malformed', 'not a valid identity key')
    const op = this.writeOp({ type: 'add', member: Buffer.from(identity), log: Buffer.from(log) })
    return [op, ...this.maintainSenderKey()]
  }

  /** The removal, then at once a fresh sender key and a fresh group secret for everyone left. */
  removeMember(identity: Buffer): Entry[] {
    const op = this.writeOp({ type: 'remove', member: Buffer.from(identity) })
    return [op, ...this.maintainSenderKey()]
  }

  /**
   * The secret the swarm topic comes from. After removals, it is the one in the first sender key
   * block, in the group's order, of a current admin whose author had seen every one of them (so it
   * was sealed to none of the removed); until such a block reaches me, the one in force before the
   * last removal; with no removal, the first admin's (or the one I was invited with).
   */
  groupSecret(): Buffer | null {
    const removals = this.state.removals
    for (let k = removals.length; k >= 0; k--) {
      const secret = this.secretAfter(removals.slice(0, k))
      if (secret) return secret
    }
    return this.invitedSecret
  }

  /** The secret in the first readable sender key block of a current admin causally after all `removals`. */
  private secretAfter(removals: Node[]): Buffer | null {
    const state = this.state
    for (const node of state.accepted) {
      if (node.entry.body.kind !== 'sender-key' || !state.members.get(hex(node.entry.author))?.admin) continue
      const secret = this.keys.record(this.history.logs[node.writer], node.entry.seq)?.secret
      if (secret && removals.every((r) => precedes(r, node))) return secret
    }
    return null
  }

  /** For a member I add: the group's genesis and the secret of its swarm topic as I know it. */
  invitation(): Invitation {
    const groupSecret = this.groupSecret()
    if (!groupSecret) throw new GroupError('not-allowed', 'I do not know the group secret yet')
    return { genesis: this.genesis, groupSecret: Buffer.from(groupSecret) }
  }

  /** The DHT topics of this group right now (topic.ts); empty until I hold the group secret. */
  topics(now: number = this.now()): Buffer[] {
    const secret = this.groupSecret()
    return secret ? currentTopics(secret, now) : []
  }

  promote(identity: Buffer): Entry {
    return this.writeOp({ type: 'promote', member: Buffer.from(identity) })
  }

  leave(): Entry {
    return this.writeOp({ type: 'leave' })
  }

  rename(name: string): Entry {
    return this.writeOp({ type: 'rename', name })
  }

  /**
   * Encrypts a message under my sender key; before it, a sender key block when my key must change
   * (a removal seen since, a week old, none yet) or a member does not have it yet. Append the
   * returned blocks to my log in order.
   */
  send(plaintext: Uint8Array): Entry[] {
    if (!this.isMember()) throw new GroupError('not-allowed', 'I am not a member of this group')
    const out = this.maintainSenderKey()
    const mk = this.keys.nextMessageKey()
    const fields = this.fields({ kind: 'message', keyId: mk.keyId, index: mk.index, nonce: mk.nonce, ciphertext: Buffer.alloc(0) })
    ;(fields.body as Extract<Body, { kind: 'message' }>).ciphertext = Keyring.sealMessage(plaintext, messageAd(fields), mk.nonce, mk.key)
    const entry = this.commit(fields)
    this.keys.setRecord(this.history.logs[this.myWriter], entry.seq, { plaintext: Buffer.from(plaintext) })
    out.push(entry)
    return out
  }

  private maintainSenderKey(): Entry[] {
    const state = this.state
    const rotated = this.keys.rotateIfDue(state.removals.length, this.now())
    if (!rotated && this.checkedAgainst === state) return []
    this.checkedAgainst = state
    const missing = this.keys.missing(this.members())
    if (missing.length === 0) return []
    // After a removal, forward a secret only from a block written after it; otherwise pick a fresh one.
    const removals = state.removals
    const known = removals.length > 0 ? this.secretAfter(removals) : this.groupSecret()
    const groupSecret = known ?? randomBytes(GROUP_SECRET_BYTES)
    const entry = this.write({ kind: 'sender-key', ...this.keys.seal(this.genesis.group, missing, groupSecret) })
    this.keys.setRecord(this.history.logs[this.myWriter], entry.seq, { secret: Buffer.from(groupSecret) })
    return [entry]
  }

  private writeOp(op: Op): Entry {
    if (!this.isMember()) throw new GroupError('not-allowed', 'I am not a member of this group')
    return this.write({ kind: 'op', op })
  }

  private fields(body: Body): EntryFields {
    const heads: Head[] = []
    for (const w of this.history.grown) {
      const length = this.history.length(w)
      if (w === this.myWriter || length <= this.history.referencedLength(this.myWriter, w)) continue
      heads.push({ log: this.history.logs[w], length, hash: (this.history.node(w, length - 1) as Node).entry.hash })
    }
    const seq = this.history.length(this.myWriter)
    return { group: this.genesis.group, author: Buffer.from(this.me.publicKey), seq, heads, body }
  }

  private write(body: Body): Entry {
    return this.commit(this.fields(body))
  }

  private commit(fields: EntryFields): Entry {
    const entry = encodeEntry(fields, this.me.secretKey)
    this.authors[this.myWriter] = entry.author
    this.process([this.history.appendOwn(this.myWriter, entry)])
    this.history.grown.clear()
    return entry
  }

  private process(delivered: Node[]): void {
    // New messages at the end of the order extend the group's state; anything else re-evaluates it.
    const simple = delivered.every((n) => n.entry.body.kind !== 'op' && n.appended)
    if (this.cached && simple) extend(this.cached, delivered, this.genesis, this.history.logs)
    else if (delivered.length > 0) this.cached = null
    for (const node of delivered) {
      const body = node.entry.body
      const log = this.history.logs[node.writer]
      const done = node.entry.seq < (this.processed.get(log.toString('hex')) ?? 0)
      if (body.kind === 'op' && body.op.type === 'add') this.history.addWriter(body.op.log)
      else if (done || node.writer === this.myWriter) continue
      else if (body.kind === 'sender-key') this.keys.takeShare(log, node.entry, body)
      else if (body.kind === 'message') this.keys.decrypt(log, node.entry, body)
    }
  }
}

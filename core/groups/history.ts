// The causal history of one group as this member holds it: every member's log, delivered block by
// block only once everything it references is delivered, so what this member has delivered is always
// causally closed. For each block it keeps
//   - a vector clock (how many blocks of each log are in its causal past, itself included), and
//   - a Lamport number (1 + the largest among its predecessors).
// The order shown to people is (Lamport, log key, seq): a linear extension of causal order that
// every member computes identically from the same set of blocks, however they arrived.
import { GroupError } from './errors'
import type { Entry } from './entry'
import { forkEvidence, type ForkEvidence } from './forks'

/** Blocks held back waiting for their predecessors, across all logs. Beyond it the block is refused (and fetched again later). */
export const MAX_BACKLOG = 4096
/** The same, per log: a member whose blocks name predecessors that never come fills only its own share. */
export const MAX_BACKLOG_PER_LOG = 256

export interface Node {
  entry: Entry
  writer: number
  lamport: number
  vc: Uint32Array
  /** Whether it went to the end of the order when delivered (nothing already ordered moved). */
  appended: boolean
}

/** Whether `a` is in the causal past of `b`. */
export function precedes(a: Node, b: Node): boolean {
  return a !== b && (b.vc[a.writer] ?? 0) > a.entry.seq
}

export function compareNodes(a: Node, b: Node, logs: Buffer[]): number {
  if (a.lamport !== b.lamport) return a.lamport - b.lamport
  if (a.writer !== b.writer) return Buffer.compare(logs[a.writer], logs[b.writer])
  return a.entry.seq - b.entry.seq
}

/** A block of one log referenced another log's block under a hash that is not the version I hold. */
export interface HeadConflict {
  /** The log whose block was referenced, and the referenced position. */
  log: Buffer
  seq: number
  /** The log whose block made the reference; it stops being delivered. */
  by: Buffer
}

export class History {
  private readonly index = new Map<string, number>()
  readonly logs: Buffer[] = []
  private readonly logHex: string[] = []
  private readonly delivered: Node[][] = []
  private readonly backlog: Entry[][] = []
  /** Per log, the length it last referenced of each other log (its own blocks' heads, not transitive). */
  private readonly referenced: Map<string, number>[] = []
  private readonly stalled = new Set<number>()
  private backlogSize = 0
  /** Every delivered block in display order. */
  readonly ordered: Node[] = []
  readonly forks: ForkEvidence[] = []
  /** Logs delivered to since the owner last cleared it: the only ones a new block of mine may need to name. */
  readonly grown = new Set<number>()
  readonly conflicts: HeadConflict[] = []

  writerOf(log: Uint8Array): number | undefined {
    return this.index.get(Buffer.from(log).toString('hex'))
  }

  addWriter(log: Buffer): number {
    const known = this.writerOf(log)
    if (known !== undefined) return known
    this.index.set(log.toString('hex'), this.logs.length)
    this.logs.push(Buffer.from(log))
    this.logHex.push(log.toString('hex'))
    this.delivered.push([])
    this.backlog.push([])
    this.referenced.push(new Map())
    return this.logs.length - 1
  }

  length(writer: number): number {
    return this.delivered[writer].length
  }

  /** Delivered and waiting blocks of a log: the position of the next block to offer. */
  held(writer: number): number {
    return this.delivered[writer].length + this.backlog[writer].length
  }

  /** The length of log `other` that `writer`'s own blocks referenced last. */
  referencedLength(writer: number, other: number): number {
    return this.referenced[writer].get(this.logHex[other]) ?? 0
  }

  node(writer: number, seq: number): Node | undefined {
    return this.delivered[writer][seq]
  }

  /**
   * Takes block `entry.seq` of log `writer` (already decoded and signature-checked) and returns the
   * blocks this delivered, in delivery order; a block whose predecessors are missing waits. Throws
   * GroupError, holding nothing, for a replay, a gap, a fork or a full backlog.
   */
  offer(writer: number, entry: Entry): Node[] {
    this.accept(writer, entry)
    return this.drain()
  }

  /** Checks and queues a block without delivering it; throws GroupError, holding nothing. */
  private accept(writer: number, entry: Entry): void {
    if (this.stalled.has(writer)) throw new GroupError('fork', 'this log referenced a version of another log I do not hold')
    const done = this.delivered[writer]
    const held = done.length + this.backlog[writer].length
    const previous = entry.seq < done.length ? done[entry.seq].entry : this.backlog[writer][entry.seq - done.length]
    if (previous) {
      if (previous.hash.equals(entry.hash)) throw new GroupError('replayed', `block ${entry.seq} of this log is held already`)
      this.forks.push(forkEvidence(previous, entry))
      throw new GroupError('fork', `the author signed two different blocks at position ${entry.seq} of their log`)
    }
    if (entry.seq !== held) throw new GroupError('out-of-order', `block ${entry.seq} offered, block ${held} expected`)
    this.checkHeads(writer, entry)
    if (this.backlogSize >= MAX_BACKLOG || this.backlog[writer].length >= MAX_BACKLOG_PER_LOG) {
      throw new GroupError('backlog-full', 'too many blocks already wait for their predecessors')
    }
    for (const h of entry.heads) this.referenced[writer].set(h.log.toString('hex'), h.length)
    this.backlog[writer].push(entry)
    this.backlogSize++
  }

  /**
   * My own new block: its predecessors are by construction what I have delivered, so it is delivered
   * at once, without searching the backlog.
   */
  appendOwn(writer: number, entry: Entry): Node {
    this.accept(writer, entry)
    const node = this.tryDeliver(writer, entry)
    if (!node) throw new GroupError('malformed', 'my own block references blocks I have not delivered')
    this.backlog[writer].shift()
    this.backlogSize--
    return node
  }

  private checkHeads(writer: number, entry: Entry): void {
    const seen = new Set<string>()
    for (const h of entry.heads) {
      const key = h.log.toString('hex')
      if (seen.has(key) || h.log.equals(this.logs[writer])) throw new GroupError('malformed', 'a head names its own log or a log twice')
      if (h.length <= (this.referenced[writer].get(key) ?? 0)) {
        throw new GroupError('malformed', 'a head does not go beyond what its author referenced before')
      }
      seen.add(key)
    }
  }

  /** Delivers every waiting block whose predecessors are all delivered, until none is left to deliver. */
  private drain(): Node[] {
    const out: Node[] = []
    let progress = true
    while (progress) {
      progress = false
      for (let w = 0; w < this.backlog.length; w++) {
        while (this.backlog[w].length > 0 && !this.stalled.has(w)) {
          const node = this.tryDeliver(w, this.backlog[w][0])
          if (!node) break
          this.backlog[w].shift()
          this.backlogSize--
          out.push(node)
          progress = true
        }
      }
    }
    return out
  }

  private tryDeliver(writer: number, entry: Entry): Node | null {
    const own = this.delivered[writer]
    const prev = own[own.length - 1]
    const vc = new Uint32Array(this.logs.length)
    if (prev) vc.set(prev.vc)
    let lamport = prev ? prev.lamport : 0
    const deps: Node[] = []
    for (const h of entry.heads) {
      const w = this.writerOf(h.log)
      if (w === undefined || this.delivered[w].length < h.length) return null
      deps.push(this.delivered[w][h.length - 1])
    }
    for (let i = 0; i < deps.length; i++) {
      if (!deps[i].entry.hash.equals(entry.heads[i].hash)) {
        this.stall(writer, { log: entry.heads[i].log, seq: entry.heads[i].length - 1, by: this.logs[writer] })
        return null
      }
    }
    for (const dep of deps) {
      for (let i = 0; i < dep.vc.length; i++) if (dep.vc[i] > vc[i]) vc[i] = dep.vc[i]
      if (dep.lamport > lamport) lamport = dep.lamport
    }
    vc[writer] = entry.seq + 1
    const node: Node = { entry, writer, lamport: lamport + 1, vc, appended: false }
    own.push(node)
    this.grown.add(writer)
    this.insertOrdered(node)
    return node
  }

  private stall(writer: number, conflict: HeadConflict): void {
    this.stalled.add(writer)
    this.conflicts.push(conflict)
    this.backlogSize -= this.backlog[writer].length
    this.backlog[writer] = []
  }

  private insertOrdered(node: Node): void {
    let lo = 0
    let hi = this.ordered.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (compareNodes(this.ordered[mid], node, this.logs) < 0) lo = mid + 1
      else hi = mid
    }
    node.appended = lo === this.ordered.length
    this.ordered.splice(lo, 0, node)
  }
}

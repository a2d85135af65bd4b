import type Corestore from 'corestore'
import type Hypercore from 'hypercore'
import { LogReader, watchIntegrity, type LogBlock } from '../log'
import { MAX_GROUP_BLOCK_BYTES } from '../protocol/limits'
import type { Entry } from './entry'
import { GroupError } from './errors'
import type { Group } from './group'

/**
 * My log for one group: a core only I can write, named by a local random tag (kept by the caller)
 * so that neither its name nor its key says which group it belongs to.
 */
export async function openGroupLog(store: Corestore, tag: Buffer): Promise<Hypercore> {
  const core = store.get({ name: `group/${tag.toString('hex')}` })
  await core.ready()
  return core
}

export type FeedProblem = { log: Buffer; error: Error }

/**
 * Connects a Group to Hypercores: appends my blocks to my log, and reads every log the group knows
 * of (each member's, as membership operations name them) into it, in order, live. Any peer who holds
 * a log can serve it: the blocks are signed by their author and checked again by the group, so who
 * relayed them does not matter. A log whose block the group refuses stops being read and is
 * reported; the others go on.
 */
export class GroupFeed {
  private readonly readers = new Map<string, { reader: LogReader; core: Hypercore; unwatch: () => void }>()
  private closed = false
  private readonly coreListeners = new Set<(core: Hypercore) => void>()

  constructor(
    private readonly store: Corestore,
    private readonly group: Group,
    private readonly mine: Hypercore,
    private readonly onProblem: (p: FeedProblem) => void,
    private readonly onChange: () => void = () => {}
  ) {}

  /**
   * Appends blocks the group wrote for me (in the order returned) in one Hypercore append, so a
   * sender key block and the message behind it cost one log signature, then follows any new logs.
   */
  async append(entries: Entry[]): Promise<void> {
    const length = this.mine.length
    entries.forEach((e, i) => {
      if (e.seq !== length + i) throw new GroupError('out-of-order', `block ${e.seq} written, my log has ${length + i}`)
    })
    if (entries.length > 0) await this.mine.append(entries.map((e) => e.bytes))
    await this.follow()
  }

  /**
   * Opens and reads every log the group knows of and this feed does not read yet. My own log is
   * read back first when the group lacks blocks of it (a group restored from its snapshot).
   */
  async follow(): Promise<void> {
    const myKey = this.mine.key as Buffer
    for (let i = this.group.nextIndex(myKey); i < this.mine.length; i++) {
      this.group.ingest(myKey, i, (await this.mine.get(i)) as Buffer)
    }
    for (const log of this.group.logs()) {
      const key = log.toString('hex')
      if (this.closed || this.readers.has(key) || (this.mine.key && log.equals(this.mine.key))) continue
      const core = this.store.get({ key: log })
      await core.ready()
      const unwatch = watchIntegrity(core, (_kind, detail) => this.onProblem({ log, error: new GroupError('fork', detail) }))
      const reader = new LogReader(core, this.group.nextIndex(log), (blocks) => this.consume(log, blocks), (error) =>
        this.onProblem({ log, error: error instanceof Error ? error : new Error(String(error)) }), { maxBlockBytes: MAX_GROUP_BLOCK_BYTES }
      )
      this.readers.set(key, { reader, core, unwatch })
      for (const listener of this.coreListeners) listener(core)
    }
  }

  /** My log and every member's log this feed reads: the cores to replicate with other members. */
  cores(): Hypercore[] {
    return [this.mine, ...[...this.readers.values()].map((r) => r.core)]
  }

  /** Called with each core the feed opens from now on. */
  onCore(listener: (core: Hypercore) => void): () => void {
    this.coreListeners.add(listener)
    return () => this.coreListeners.delete(listener)
  }

  private async consume(log: Buffer, blocks: LogBlock[]): Promise<void> {
    const before = this.group.logs().length
    for (const { index, block, size } of blocks) {
      if (index < this.group.nextIndex(log)) continue
      // Refused unfetched, as the group would refuse it fetched: the log is read no further.
      if (block === null) throw new GroupError('malformed', `block ${index} is ${size} bytes, at most ${MAX_GROUP_BLOCK_BYTES}`)
      this.group.ingest(log, index, block)
    }
    this.onChange()
    if (this.group.logs().length !== before) await this.follow()
  }

  async close(): Promise<void> {
    this.closed = true
    for (const { reader, core, unwatch } of this.readers.values()) {
      unwatch()
      const done = reader.close()
      await core.close()
      await done
    }
    this.readers.clear()
  }
}

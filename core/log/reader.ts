import type Hypercore from 'hypercore'
import type { LogBudget } from './budget'

export interface LogBlock {
  index: number
  /** null: the block is larger than the reader's cap, and was not downloaded. */
  block: Buffer | null
  /** Its size in bytes, as its writer signed it. */
  size: number
}

export interface ReaderLimits {
  /** Largest block downloaded; a larger one is handed over as null, never fetched. */
  maxBlockBytes: number
  /** The writer's download and commit budget (budget.ts); without one, steps are not paced. */
  budget?: LogBudget
}

/** At most this many blocks are handed over (and so committed) in one step during a catch-up. */
const MAX_STEP = 512
/**
 * Steps planned and downloading ahead of the one being decrypted and committed: replication runs on
 * meanwhile, as a bare replica's live download does, instead of one step's request at a time.
 */
const DEPTH = 8

/**
 * The byte offset in the log where block `index` starts, from the signed tree alone: the least byte
 * that core.seek() places in that block or a later one (a binary search; seek reads tree nodes only).
 */
async function offsetOf(core: Hypercore, index: number, from: number): Promise<number> {
  let lo = from
  let hi = core.byteLength
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2)
    const [at] = await core.seek(mid)
    if (at >= index) hi = mid
    else lo = mid + 1
  }
  return lo
}

type Plan = { from: number; end: number } | { oversize: number; at: number }

/**
 * Hands a contact's log to a consumer in order, from the first block not yet consumed, one step of
 * consecutive blocks at a time; the next step is handed over only once the consumer has committed the
 * last, and up to DEPTH steps download meanwhile. A step's bytes are spent from the budget when it
 * is planned, before anything of it is downloaded.
 * Blocks are fetched as they become available, live, for as long as the reader is open.
 *
 * Every block's size is known before it is fetched: the writer signs the log's Merkle tree, whose nodes
 * carry byte sizes, and core.seek() fetches tree nodes only. A step is planned from the byte offset of
 * its first block: the blocks that end by offset + maxBlockBytes are each (and all together) within
 * the cap and are downloaded; if none does, the first is oversized and is handed over unfetched.
 */
export class LogReader {
  private closed = false
  /** Waiting on the network (a plan's tree nodes or a step's blocks): close does not wait for that. */
  private fetching = false
  private wake: (() => void) | null = null
  /** Steps planned and downloading, oldest first. */
  private readonly pipeline: Promise<LogBlock[]>[] = []
  /** The first block not yet in a step, and where it starts in the log (found by the first plan). */
  private planned: number
  private offset: number | null = null
  private planning: Promise<number> | null = null
  private failure: Error | null = null
  private readonly done: Promise<void>

  constructor(
    private readonly core: Hypercore,
    private next: number,
    private readonly consume: (blocks: LogBlock[]) => Promise<void>,
    private readonly onError: (err: unknown) => void,
    private readonly limits: ReaderLimits
  ) {
    this.planned = next
    core.on('append', this.onAppend)
    this.done = this.run()
  }

  get position(): number {
    return this.next
  }

  async close(): Promise<void> {
    this.closed = true
    this.core.off('append', this.onAppend)
    this.onAppend()
    // A fetch of a block or node no peer has yet waits until the core itself is closed, which the owner does next.
    if (!this.fetching) await this.done
  }

  private readonly onAppend = (): void => {
    const wake = this.wake
    this.wake = null
    if (wake) wake()
  }

  private sleep(ms: number | null): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = ms === null ? null : setTimeout(this.onAppend, ms)
      timer?.unref()
      this.wake = () => {
        if (timer !== null) clearTimeout(timer)
        resolve()
      }
    })
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      try {
        // planning runs beside the consumer: a plan may wait on the network for tree nodes
        const delay = this.pipeline.length === 0 ? await this.network(this.planAhead()) : (void this.planAhead(), 0)
        if (this.failure !== null) throw this.failure
        const head = this.pipeline.shift()
        if (head === undefined) {
          await this.sleep(this.planned >= this.core.length ? null : delay)
          continue
        }
        const step = await this.network(head)
        void this.planAhead()
        if (this.closed || step.length === 0) continue
        this.next += step.length
        await this.consume(step)
      } catch (err) {
        if (this.closed) return
        this.onError(err)
        return
      }
    }
  }

  private async network<T>(wait: Promise<T>): Promise<T> {
    this.fetching = true
    try {
      return await wait
    } finally {
      this.fetching = false
    }
  }

  /** Plans and starts steps until DEPTH are under way or the log has no more, one planner at a time; settles with the budget's wait, if it said to. */
  private planAhead(): Promise<number> {
    this.planning ??= this.fill()
      .catch((err: unknown) => {
        this.failure = err instanceof Error ? err : new Error(String(err))
        return 0
      })
      .finally(() => (this.planning = null))
    return this.planning
  }

  private async fill(): Promise<number> {
    while (this.pipeline.length < DEPTH && this.planned < this.core.length && !this.closed) {
      const delay = this.limits.budget?.wait() ?? 0
      if (delay > 0) return delay
      const plan = await this.plan()
      const step = 'oversize' in plan ? Promise.resolve([{ index: plan.at, block: null, size: plan.oversize }]) : this.fetch(plan.from, plan.end)
      // a failure is taken where the step is awaited; one that no one awaits (reading stopped) is dropped
      step.catch(() => undefined)
      this.pipeline.push(step)
    }
    return 0
  }

  /** The next step from `planned`, which it moves past; its bytes are spent from the budget here. */
  private async plan(): Promise<Plan> {
    const { core } = this
    const next = this.planned
    const start = (this.offset ??= await offsetOf(core, next, 0))
    const limit = start + this.limits.maxBlockBytes
    const last = Math.min(core.length, next + MAX_STEP)
    let end = last
    let endOffset: number | null = last === core.length ? core.byteLength : null
    if (limit < core.byteLength) {
      const [at, within] = await core.seek(limit)
      if (at <= next) {
        const size = (await offsetOf(core, next + 1, limit)) - start
        this.moveTo(next + 1, start + size)
        return { oversize: size, at: next }
      }
      if (at <= last) [end, endOffset] = [at, limit - within]
    }
    this.moveTo(end, endOffset ?? (await offsetOf(core, end, start)))
    this.limits.budget?.spend(this.offset - start)
    return { from: next, end }
  }

  private moveTo(block: number, offset: number): void {
    this.planned = block
    this.offset = offset
  }

  private async fetch(from: number, to: number): Promise<LogBlock[]> {
    const range = this.core.download({ start: from, end: to })
    try {
      await range.done()
      if (this.closed) return []
      const stored = await readStored(this.core, from, to)
      const blocks: LogBlock[] = []
      for (let i = from; i < to && !this.closed; i++) {
        const block = stored[i - from] ?? (await this.core.get(i))
        // a step cut short would leave a gap before the steps planned after it: stop reading instead
        if (block === null) throw new Error(`block ${i} of the log could not be read`)
        blocks.push({ index: i, block, size: block.byteLength })
      }
      return blocks
    } finally {
      range.destroy()
    }
  }
}

interface StorageRead {
  getBlock(index: number): Promise<Buffer | null>
  tryFlush(): void
}
type CoreInside = { state?: { storage?: { read?(): StorageRead } }; encryption?: unknown }

/**
 * Blocks `from` to `to` as stored here (null where one is not), in one read of the core's storage.
 * Hypercore's get() makes one storage request per block, each a hop to a worker thread that costs
 * the event loop far more than the read itself: profiled in a 10,000-message catch-up on a loaded
 * machine, a third of the reader's process time. This takes Hypercore's own storage session
 * (hypercore is pinned to an exact version); without one, or on a core Hypercore encrypts, one get() each.
 */
function readStored(core: Hypercore, from: number, to: number): Promise<Array<Buffer | null>> {
  const inside = core as unknown as CoreInside
  const storage = inside.state?.storage
  const reads: Array<Promise<Buffer | null>> = []
  if (typeof storage?.read !== 'function' || inside.encryption) {
    for (let i = from; i < to; i++) reads.push(core.get(i, { wait: false }))
    return Promise.all(reads)
  }
  const rx = storage.read()
  for (let i = from; i < to; i++) reads.push(rx.getBlock(i))
  rx.tryFlush()
  return Promise.all(reads)
}

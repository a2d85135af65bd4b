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
const MAX_STEP = 128

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

type Plan = { end: number } | { oversize: number }

/**
 * Hands a contact's log to a consumer in order, from the first block not yet consumed, one step of
 * consecutive blocks at a time; the next step is handed over only once the consumer has committed the
 * last, and downloads meanwhile.
 * Blocks are fetched as they become available, live, for as long as the reader is open.
 *
 * Every block's size is known before it is fetched: the writer signs the log's Merkle tree, whose nodes
 * carry byte sizes, and core.seek() fetches tree nodes only. A step is planned from the byte offset of
 * its first block: the blocks that end by offset + maxBlockBytes are each (and all together) within
 * the cap and are downloaded; if none does, the first is oversized and is handed over unfetched.
 */
export class LogReader {
  private closed = false
  private fetching = false
  private wake: (() => void) | null = null
  /** Where block `next` starts in the log; found once the first step is planned. */
  private offset: number | null = null
  private readonly done: Promise<void>

  constructor(
    private readonly core: Hypercore,
    private next: number,
    private readonly consume: (blocks: LogBlock[]) => Promise<void>,
    private readonly onError: (err: unknown) => void,
    private readonly limits: ReaderLimits
  ) {
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
    // the next step, downloading while the one before it decrypts and commits
    let ahead: Promise<LogBlock[]> | null = null
    while (!this.closed) {
      try {
        if (ahead === null) {
          if (this.next >= this.core.length) {
            await this.sleep(null)
            continue
          }
          const delay = this.limits.budget?.wait() ?? 0
          if (delay > 0) {
            await this.sleep(delay)
            continue
          }
          ahead = this.step()
        }
        const step = await ahead
        ahead = null
        if (this.closed || step.length === 0) continue
        this.next += step.length
        this.offset = (this.offset ?? 0) + step.reduce((sum, { size }) => sum + size, 0)
        ahead = this.stepAhead()
        await this.consume(step)
      } catch (err) {
        if (this.closed) return
        this.onError(err)
        return
      }
    }
  }

  /** Starts the next step now, if there is one and the budget lets it start. */
  private stepAhead(): Promise<LogBlock[]> | null {
    if (this.next >= this.core.length || (this.limits.budget?.wait() ?? 0) > 0) return null
    const ahead = this.step()
    // a failure is taken where the step is awaited; one that no one awaits (reading stopped) is dropped
    ahead.catch(() => undefined)
    return ahead
  }

  private async step(): Promise<LogBlock[]> {
    this.fetching = true
    try {
      const plan = await this.plan()
      if (this.closed) return []
      if ('oversize' in plan) return [{ index: this.next, block: null, size: plan.oversize }]
      const blocks = await this.fetch(this.next, plan.end)
      this.limits.budget?.spend(blocks.reduce((sum, { size }) => sum + size, 0))
      return blocks
    } finally {
      this.fetching = false
    }
  }

  private async plan(): Promise<Plan> {
    const { core, next } = this
    const start = (this.offset ??= await offsetOf(core, next, 0))
    const limit = start + this.limits.maxBlockBytes
    const last = Math.min(core.length, next + MAX_STEP)
    if (limit >= core.byteLength) return { end: last }
    const [at] = await core.seek(limit)
    if (at > next) return { end: Math.min(at, last) }
    return { oversize: (await offsetOf(core, next + 1, limit)) - start }
  }

  private async fetch(from: number, to: number): Promise<LogBlock[]> {
    const range = this.core.download({ start: from, end: to })
    try {
      const blocks: LogBlock[] = []
      for (let i = from; i < to && !this.closed; i++) {
        const block = await this.core.get(i)
        if (block === null) break
        blocks.push({ index: i, block, size: block.byteLength })
      }
      return blocks
    } finally {
      range.destroy()
    }
  }
}

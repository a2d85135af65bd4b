import type Hypercore from 'hypercore'

export interface LogBlock {
  index: number
  block: Buffer
}

/** At most this many blocks are handed over (and so committed) in one step during a catch-up. */
const MAX_STEP = 128

/**
 * Hands a contact's log to a consumer in order, from the first block not yet consumed, one step of
 * consecutive blocks at a time; the next step starts only when the consumer has committed the last.
 * Blocks are fetched as they become available, live, for as long as the reader is open.
 */
export class LogReader {
  private closed = false
  private fetching = false
  private wake: (() => void) | null = null
  private readonly download: { destroy(): void }
  private readonly done: Promise<void>

  constructor(
    private readonly core: Hypercore,
    private next: number,
    private readonly consume: (blocks: LogBlock[]) => Promise<void>,
    private readonly onError: (err: unknown) => void
  ) {
    this.download = core.download({ start: next, end: -1 })
    core.on('append', this.onAppend)
    this.done = this.run()
  }

  get position(): number {
    return this.next
  }

  async close(): Promise<void> {
    this.closed = true
    this.core.off('append', this.onAppend)
    this.download.destroy()
    this.onAppend()
    // A fetch of a block no peer has yet waits until the core itself is closed, which the owner does next.
    if (!this.fetching) await this.done
  }

  private readonly onAppend = (): void => {
    const wake = this.wake
    this.wake = null
    if (wake) wake()
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      try {
        if (this.next >= this.core.length) {
          await new Promise<void>((resolve) => (this.wake = resolve))
          continue
        }
        const step = await this.step()
        if (this.closed || step.length === 0) continue
        await this.consume(step)
        this.next += step.length
      } catch (err) {
        if (this.closed) return
        this.onError(err)
        return
      }
    }
  }

  private async step(): Promise<LogBlock[]> {
    this.fetching = true
    const first = await this.core.get(this.next).finally(() => (this.fetching = false))
    if (first === null || this.closed) return []
    const blocks: LogBlock[] = [{ index: this.next, block: first }]
    const end = Math.min(this.core.length, this.next + MAX_STEP)
    for (let i = this.next + 1; i < end && (await this.core.has(i)); i++) {
      const block = await this.core.get(i, { wait: false })
      if (block === null) break
      blocks.push({ index: i, block })
    }
    return blocks
  }
}

import type Hypercore from 'hypercore'
import { CairnError } from '../api/errors'
import { keys, type Store, type Tx } from '../store'

// Envelopes waiting in order go into my log together, in one atomic append (one flush for a burst).
const MAX_APPEND = 1024

interface Outgoing {
  envelope: Buffer
  /** The message the block carries; null for a block that changes one (a reaction). */
  seq: number | null
}

/**
 * My envelopes for one contact on their way into my log: committed to the store first, then
 * appended one after another in block order, and the stored copies deleted once in the log.
 */
export class Outbox {
  /** Envelopes committed in this run and not yet appended, by block: saves reading them back. */
  private readonly pending = new Map<number, Outgoing>()
  private appending: Promise<void> = Promise.resolve()
  /** Stored envelopes below this block are known to be cleaned up. */
  private cleanedTo = 0

  /**
   * @param durable blocks of my log whose envelopes are durable in the store (the record's outCount
   * at open): only these may be appended. The record runs ahead while a group of writes is staged
   * but not yet flushed, so add() moves this on, once the write that made a block is durable.
   */
  constructor(
    private readonly store: Store,
    private readonly tag: Buffer,
    private durable: number
  ) {}

  /** An envelope whose write is durable: it may go into my log. */
  add(block: number, envelope: Buffer, seq: number | null): void {
    this.pending.set(block, { envelope, seq })
    this.durable = Math.max(this.durable, block + 1)
  }

  /** Re-appends, in order, every durable envelope not yet in my log. */
  resume(own: Hypercore | null, onSent: (seq: number) => void, report: (err: unknown) => void): void {
    this.appending = this.appending
      .then(async () => {
        while (own && !own.closed && own.length < this.durable) {
          const start = own.length
          const end = Math.min(this.durable, start + MAX_APPEND)
          const batch: Outgoing[] = []
          for (let block = start; block < end; block++) batch.push(this.pending.get(block) ?? (await this.readStored(block)))
          await own.append(batch.map(({ envelope }) => envelope))
          for (let block = start; block < end; block++) this.pending.delete(block)
          for (const { seq } of batch) if (seq !== null) onSent(seq)
        }
      })
      .catch(report)
  }

  /** Settles once the appends under way are done. */
  settled(): Promise<void> {
    return this.appending
  }

  /** At open: forgets the stored copies of envelopes that reached my log before the last close. */
  async dropAppended(appended: number): Promise<void> {
    await this.store.write(async (tx) => {
      for await (const { key } of this.store.range(keys.envelopes(this.tag), { lt: keys.envelope(this.tag, appended) })) tx.del(key)
    })
    this.cleanedTo = appended
  }

  /** Deletes, in a write under way, the stored copies of envelopes that have reached my log. */
  clean(tx: Tx, appended: number): void {
    for (let block = this.cleanedTo; block < appended; block++) tx.del(keys.envelope(this.tag, block))
    this.cleanedTo = Math.max(this.cleanedTo, appended)
  }

  /** The history number of the message I wrote as a block of my log, if it is still kept. */
  async seqOf(block: number): Promise<number | null> {
    const value = await this.store.get(keys.outBlock(this.tag, block))
    return value ? Number(value.readBigUInt64BE(0)) : null
  }

  /** The stored copy of an envelope committed before a crash or restart, to append it unchanged. */
  private async readStored(block: number): Promise<Outgoing> {
    const envelope = await this.store.get(keys.envelope(this.tag, block))
    if (!envelope) throw new CairnError('corrupt-profile', `the envelope of outgoing block ${block} is missing`)
    return { envelope, seq: await this.seqOf(block) }
  }
}

export function seqBytes(seq: number): Buffer {
  const b = Buffer.alloc(8)
  b.writeBigUInt64BE(BigInt(seq))
  return b
}

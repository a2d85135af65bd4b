import Hyperbee from 'hyperbee'
import type { BeeBatch } from 'hyperbee'
import type Hypercore from 'hypercore'
import { CairnError } from '../api/errors'
import type { StoreCipher } from './cipher'
import { prefixEnd } from './keys'

export type { StoreCipher } from './cipher'
export { keys, seqOfKey, TAG_BYTES } from './keys'

/** Reads and writes inside one atomic step; reads see the step's own pending writes. */
export interface Tx {
  get(key: Buffer): Promise<Buffer | null>
  getJson<T>(key: Buffer): Promise<T | null>
  put(key: Buffer, value: Buffer): void
  putJson(key: Buffer, value: unknown): void
  del(key: Buffer): void
}

export interface RangeEntry {
  key: Buffer
  value: Buffer
}

// A burst of writes is committed together: at most this many steps share one batch (one append and
// one flush), which is what lets a burst of sends run far faster than one flush each.
const MAX_GROUP = 256

interface Queued {
  fn: (tx: Tx) => unknown
  onCommit?: (result: unknown) => void
  resolve(result: unknown): void
  reject(err: unknown): void
}

/**
 * The encrypted local store: a Hyperbee whose values are sealed (XChaCha20-Poly1305, bound to their
 * key) under the profile's storage key. Writes are serialised, so a read-modify-write never
 * interleaves with another, and committed in groups: the steps waiting when a batch starts run one
 * after another against it (each sees the ones before), and the batch is flushed once. Each step
 * stays atomic (the group is one Hyperbee batch, all or nothing) and a write() resolves only once its
 * batch is durable, so nothing is acknowledged before it would survive a crash.
 */
export class Store {
  private readonly bee: Hyperbee
  private waiting: Queued[] = []
  private draining: Promise<void> | null = null
  private failure: Error | null = null

  constructor(
    core: Hypercore,
    private readonly cipher: StoreCipher
  ) {
    this.bee = new Hyperbee(core, { keyEncoding: 'binary', valueEncoding: 'binary' })
  }

  async ready(): Promise<void> {
    await this.bee.ready()
  }

  tag(data: Buffer): Buffer {
    return this.cipher.tag(data)
  }

  async get(key: Buffer): Promise<Buffer | null> {
    const node = await this.bee.get(key)
    return node ? this.open(node.key, node.value) : null
  }

  async getJson<T>(key: Buffer): Promise<T | null> {
    const value = await this.get(key)
    return value ? parseJson<T>(value) : null
  }

  /** Entries whose key starts with prefix, in key order (or reversed), optionally below `lt`. */
  async *range(prefix: Buffer, opts: { reverse?: boolean; limit?: number; lt?: Buffer; gte?: Buffer } = {}): AsyncGenerator<RangeEntry> {
    const stream = this.bee.createReadStream({
      gte: opts.gte ?? prefix,
      lt: opts.lt ?? prefixEnd(prefix),
      reverse: opts.reverse,
      limit: opts.limit
    })
    for await (const node of stream) yield { key: node.key, value: this.open(node.key, node.value) }
  }

  /**
   * Runs fn and commits what it wrote, atomically, in the next batch. onCommit runs as soon as fn's
   * writes are part of the batch and before the next step runs, so in-memory state derived from them
   * never goes stale; the promise resolves once the batch is durable. A batch that fails to flush
   * fails every write after it too: in-memory state may be ahead of the disk, and the profile must be
   * opened again.
   */
  write<T>(fn: (tx: Tx) => Promise<T> | T, onCommit?: (result: T) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.failure !== null) {
        reject(this.failure)
        return
      }
      this.waiting.push({ fn, onCommit: onCommit as Queued['onCommit'], resolve: resolve as Queued['resolve'], reject })
      if (this.draining === null) this.draining = this.drain()
    })
  }

  async close(): Promise<void> {
    await this.draining
    await this.bee.close()
  }

  private async drain(): Promise<void> {
    while (this.waiting.length > 0) await this.commit(this.waiting.splice(0, MAX_GROUP))
    this.draining = null
  }

  private async commit(group: Queued[]): Promise<void> {
    const batch: BeeBatch = this.bee.batch()
    const pending = new Map<string, Buffer | null>()
    const staged: [Queued, unknown][] = []
    try {
      for (const step of group) {
        const own = new Map<string, Buffer | null>()
        try {
          const result = await step.fn(this.tx(own, pending))
          for (const [hex, value] of own) pending.set(hex, value)
          step.onCommit?.(result)
          staged.push([step, result])
        } catch (err) {
          step.reject(err)
        }
      }
      if (staged.length === 0) return
      for (const [hex, value] of pending) {
        const key = Buffer.from(hex, 'hex')
        if (value === null) await batch.del(key)
        else await batch.put(key, this.cipher.seal(value, key))
      }
      await batch.flush()
    } catch (err) {
      this.failure = err instanceof Error ? err : new Error(String(err))
      for (const [step] of staged) step.reject(err)
      for (const step of this.waiting.splice(0)) step.reject(err)
      return
    } finally {
      await batch.close()
    }
    for (const [step, result] of staged) step.resolve(result)
  }

  // A step's reads see its own writes, then those of the steps before it in the batch, then the store.
  private tx(own: Map<string, Buffer | null>, pending: Map<string, Buffer | null>): Tx {
    const tx: Tx = {
      get: async (key) => {
        const hex = key.toString('hex')
        if (own.has(hex)) return own.get(hex) ?? null
        if (pending.has(hex)) return pending.get(hex) ?? null
        return this.get(key)
      },
      getJson: async <V>(key: Buffer) => {
        const value = await tx.get(key)
        return value ? parseJson<V>(value) : null
      },
      put: (key, value) => void own.set(key.toString('hex'), value),
      putJson: (key, value) => void own.set(key.toString('hex'), Buffer.from(JSON.stringify(value))),
      del: (key) => void own.set(key.toString('hex'), null)
    }
    return tx
  }

  private open(key: Buffer, sealed: Buffer): Buffer {
    try {
      return this.cipher.open(sealed, key)
    } catch {
      throw new CairnError('corrupt-profile', `a stored value failed authentication (key ${key.subarray(0, 1).toString('hex')}…)`)
    }
  }
}

function parseJson<T>(value: Buffer): T {
  try {
    return JSON.parse(value.toString('utf8')) as T
  } catch {
    throw new CairnError('corrupt-profile', 'a stored record is not valid JSON')
  }
}

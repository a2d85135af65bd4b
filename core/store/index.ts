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

/**
 * The encrypted local store: a Hyperbee whose values are sealed (XChaCha20-Poly1305, bound to their
 * key) under the profile's storage key. Each write() is one Hyperbee batch, i.e. one atomic append,
 * and writes are serialised so a read-modify-write never interleaves with another.
 */
export class Store {
  private readonly bee: Hyperbee
  private queue: Promise<unknown> = Promise.resolve()

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
   * Runs fn and commits what it wrote as one batch. onCommit runs right after the batch is durable
   * and before the next write starts, so in-memory state derived from it never goes stale.
   */
  write<T>(fn: (tx: Tx) => Promise<T> | T, onCommit?: (result: T) => void): Promise<T> {
    const run = this.queue.then(() => this.commit(fn, onCommit))
    this.queue = run.catch(() => undefined)
    return run
  }

  async close(): Promise<void> {
    await this.queue
    await this.bee.close()
  }

  private async commit<T>(fn: (tx: Tx) => Promise<T> | T, onCommit?: (result: T) => void): Promise<T> {
    const batch: BeeBatch = this.bee.batch()
    const pending = new Map<string, Buffer | null>()
    const tx: Tx = {
      get: async (key) => {
        const hex = key.toString('hex')
        if (pending.has(hex)) return pending.get(hex) ?? null
        return this.get(key)
      },
      getJson: async <V>(key: Buffer) => {
        const value = await tx.get(key)
        return value ? parseJson<V>(value) : null
      },
      put: (key, value) => void pending.set(key.toString('hex'), value),
      putJson: (key, value) => void pending.set(key.toString('hex'), Buffer.from(JSON.stringify(value))),
      del: (key) => void pending.set(key.toString('hex'), null)
    }
    try {
      const result = await fn(tx)
      for (const [hex, value] of pending) {
        const key = Buffer.from(hex, 'hex')
        if (value === null) await batch.del(key)
        else await batch.put(key, this.cipher.seal(value, key))
      }
      await batch.flush()
      onCommit?.(result)
      return result
    } finally {
      await batch.close()
    }
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

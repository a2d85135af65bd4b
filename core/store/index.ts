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

/** One core of the store's life, with the reads still running on it. */
interface Generation {
  bee: Hyperbee
  cipher: StoreCipher
  readers: number
  drained: (() => void) | null
}

/** Entries copied per Hyperbee batch when the store moves to a new core. */
const COPY_BATCH = 512

/**
 * The encrypted local store: a Hyperbee whose values are sealed (XChaCha20-Poly1305, bound to their
 * key) under the current epoch's key. Each write() is one Hyperbee batch, i.e. one atomic append,
 * and writes are serialised so a read-modify-write never interleaves with another. replace() moves
 * the live entries to a fresh core under a fresh key, leaving the former core for the caller to erase.
 */
export class Store {
  private gen: Generation
  private queue: Promise<unknown> = Promise.resolve()
  private closed = false
  /** Runs after every committed write (the epoch policy counts blocks here). */
  afterWrite: (() => void) | null = null

  constructor(core: Hypercore, cipher: StoreCipher) {
    this.gen = generation(core, cipher)
  }

  async ready(): Promise<void> {
    await this.gen.bee.ready()
  }

  /** Blocks in the current core: every write since the store last moved, live or superseded. */
  get blocks(): number {
    return this.gen.bee.core.length
  }

  /** Bytes of those blocks. */
  get bytes(): number {
    return this.gen.bee.core.byteLength
  }

  tag(data: Buffer): Buffer {
    return this.gen.cipher.tag(data)
  }

  async get(key: Buffer): Promise<Buffer | null> {
    const gen = this.enter()
    try {
      const node = await gen.bee.get(key)
      return node ? open(gen.cipher, node.key, node.value) : null
    } finally {
      leave(gen)
    }
  }

  async getJson<T>(key: Buffer): Promise<T | null> {
    const value = await this.get(key)
    return value ? parseJson<T>(value) : null
  }

  /** Entries whose key starts with prefix, in key order (or reversed), optionally below `lt`. */
  async *range(prefix: Buffer, opts: { reverse?: boolean; limit?: number; lt?: Buffer; gte?: Buffer } = {}): AsyncGenerator<RangeEntry> {
    const gen = this.enter()
    try {
      const stream = gen.bee.createReadStream({
        gte: opts.gte ?? prefix,
        lt: opts.lt ?? prefixEnd(prefix),
        reverse: opts.reverse,
        limit: opts.limit
      })
      for await (const node of stream) yield { key: node.key, value: open(gen.cipher, node.key, node.value) }
    } finally {
      leave(gen)
    }
  }

  /**
   * Runs fn and commits what it wrote as one batch. onCommit runs right after the batch is durable
   * and before the next write starts, so in-memory state derived from it never goes stale.
   */
  write<T>(fn: (tx: Tx) => Promise<T> | T, onCommit?: (result: T) => void): Promise<T> {
    return this.enqueue(() => this.commit(fn, onCommit))
  }

  /**
   * Copies every live entry, re-sealed under `cipher` (which must tag as the current one does), into
   * the empty `core` and makes it the store, between two writes. `switched` runs once the copy is
   * durable and before any write lands in the new core (the caller records the new epoch there);
   * `retire` gets the former core's Hyperbee once no read uses it, still before the next write.
   */
  replace(core: Hypercore, cipher: StoreCipher, switched: () => Promise<void>, retire: (former: Hyperbee) => Promise<void>): Promise<void> {
    return this.enqueue(async () => {
      const next = generation(core, cipher)
      await next.bee.ready()
      if (next.bee.core.length > 0) throw new CairnError('corrupt-profile', 'the next store core is not empty')
      await copyAll(this.gen, next)
      await switched()
      const former = this.gen
      this.gen = next
      await drained(former)
      await retire(former.bee)
    })
  }

  get isClosed(): boolean {
    return this.closed
  }

  async close(): Promise<void> {
    this.closed = true
    await this.queue
    await this.gen.bee.close()
  }

  private enqueue<T>(step: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new CairnError('locked', 'the store is closed'))
    const run = this.queue.then(step)
    this.queue = run.catch(() => undefined)
    return run
  }

  private enter(): Generation {
    const gen = this.gen
    gen.readers++
    return gen
  }

  private async commit<T>(fn: (tx: Tx) => Promise<T> | T, onCommit?: (result: T) => void): Promise<T> {
    const gen = this.gen
    const batch: BeeBatch = gen.bee.batch()
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
        else await batch.put(key, gen.cipher.seal(value, key))
      }
      await batch.flush()
      onCommit?.(result)
      this.afterWrite?.()
      return result
    } finally {
      await batch.close()
    }
  }
}

function generation(core: Hypercore, cipher: StoreCipher): Generation {
  return { bee: new Hyperbee(core, { keyEncoding: 'binary', valueEncoding: 'binary' }), cipher, readers: 0, drained: null }
}

function leave(gen: Generation): void {
  gen.readers--
  if (gen.readers === 0 && gen.drained) gen.drained()
}

function drained(gen: Generation): Promise<void> {
  if (gen.readers === 0) return Promise.resolve()
  return new Promise((resolve) => (gen.drained = resolve))
}

async function copyAll(from: Generation, to: Generation): Promise<void> {
  let batch = to.bee.batch()
  let pending = 0
  for await (const node of from.bee.createReadStream()) {
    await batch.put(node.key, to.cipher.seal(open(from.cipher, node.key, node.value), node.key))
    if (++pending === COPY_BATCH) {
      await batch.flush()
      batch = to.bee.batch()
      pending = 0
    }
  }
  await batch.flush()
}

function open(cipher: StoreCipher, key: Buffer, sealed: Buffer): Buffer {
  try {
    return cipher.open(sealed, key)
  } catch {
    throw new CairnError('corrupt-profile', `a stored value failed authentication (key ${key.subarray(0, 1).toString('hex')}…)`)
  }
}

function parseJson<T>(value: Buffer): T {
  try {
    return JSON.parse(value.toString('utf8')) as T
  } catch {
    throw new CairnError('corrupt-profile', 'a stored record is not valid JSON')
  }
}

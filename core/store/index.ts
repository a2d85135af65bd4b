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
 * key) under the current epoch's key. Writes are serialised, so a read-modify-write never
 * interleaves with another, and committed in groups: the steps waiting when a batch starts run one
 * after another against it (each sees the ones before), and the batch is flushed once. Each step
 * stays atomic (the group is one Hyperbee batch, all or nothing) and a write() resolves only once its
 * batch is durable, so nothing is acknowledged before it would survive a crash. replace() moves the
 * live entries to a fresh core under a fresh key between two batches, leaving the former core for
 * the caller to erase.
 */
export class Store {
  private gen: Generation
  /** Batches and moves to a new core, one after another. */
  private queue: Promise<unknown> = Promise.resolve()
  private waiting: Queued[] = []
  /** A batch is queued or running: new writes join it or the one after. */
  private draining = false
  private failure: Error | null = null
  private closed = false
  /** Runs after every committed batch (the epoch policy counts blocks here). */
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
   * Runs fn and commits what it wrote, atomically, in the next batch. onCommit runs as soon as fn's
   * writes are part of the batch and before the next step runs, so in-memory state derived from them
   * never goes stale; the promise resolves once the batch is durable. A batch that fails to flush
   * fails every write after it too: in-memory state may be ahead of the disk, and the profile must be
   * opened again.
   */
  write<T>(fn: (tx: Tx) => Promise<T> | T, onCommit?: (result: T) => void): Promise<T> {
    if (this.closed) return Promise.reject(new CairnError('locked', 'the store is closed'))
    if (this.failure !== null) return Promise.reject(this.failure)
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ fn, onCommit: onCommit as Queued['onCommit'], resolve: resolve as Queued['resolve'], reject })
      if (!this.draining) this.drainNext()
    })
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
    // writes accepted before closing still commit, in batches queued one after another
    let last: Promise<unknown>
    do {
      last = this.queue
      await last
    } while (last !== this.queue)
    await this.gen.bee.close()
  }

  private enqueue<T>(step: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new CairnError('locked', 'the store is closed'))
    return this.append(step)
  }

  private append<T>(step: () => Promise<T>): Promise<T> {
    const run = this.queue.then(step)
    this.queue = run.catch(() => undefined)
    return run
  }

  /** Queues one batch of what waits; a move to a new core queued meanwhile runs before the next one. */
  private drainNext(): void {
    this.draining = true
    void this.append(async () => {
      await this.commit(this.waiting.splice(0, MAX_GROUP))
      if (this.waiting.length > 0) this.drainNext()
      else this.draining = false
    })
  }

  private enter(): Generation {
    const gen = this.gen
    gen.readers++
    return gen
  }

  private async commit(group: Queued[]): Promise<void> {
    const gen = this.gen
    const batch: BeeBatch = gen.bee.batch()
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
        else await batch.put(key, gen.cipher.seal(value, key))
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
    this.afterWrite?.()
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

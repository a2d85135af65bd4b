import Hyperbee from 'hyperbee'
import type { BeeBatch } from 'hyperbee'
import type Hypercore from 'hypercore'
import { CairnError } from '../api/errors'
import type { StoreCipher } from './cipher'
import { decodeJournal, encodeJournal, Overlay, type Writes } from './journal'
import { keys, prefixEnd, seqOfKey } from './keys'
import { mergeRange } from './merge'
import { Quiet } from './quiet'

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
/** A batch with this many writes goes into the journal (journal.ts) as one block: a burst's batches. */
const JOURNAL_MIN_WRITES = 64
/**
 * Journal writes applied to their keys per Hyperbee batch, between the batches of new writes: a
 * batch runs mostly on cached tree nodes, in microtasks, so a big one would hold off timers and I/O.
 */
const APPLY_WRITES = 1024
/** Journal writes held in memory beyond which applying them goes before new writes. */
const MAX_HELD = 200_000

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
 * batch is durable, so nothing is acknowledged before it would survive a crash. A big group is
 * written as one journal entry and applied to its keys once writes pause (journal.ts, quiet.ts). replace() moves the
 * live entries to a fresh core under a fresh key between two batches, leaving the former core for
 * the caller to erase (with the journals' writes copied as entries, so that no journal is).
 */
export class Store {
  private gen: Generation
  /** Batches and moves to a new core, one after another. */
  private queue: Promise<unknown> = Promise.resolve()
  private waiting: Queued[] = []
  /** A batch is queued or running: new writes join it or the one after. */
  private draining = false
  /** Moves to a new core queued or running: they take the journals into their copy, so none is applied meanwhile. */
  private moves = 0
  private failure: Error | null = null
  private closed = false
  /** Journals committed and not yet applied; every read looks here first. */
  private readonly overlay = new Overlay()
  private nextJournal = 0
  private readonly quiet = new Quiet()
  /** Runs after every committed batch (the epoch policy counts blocks here). */
  afterWrite: (() => void) | null = null

  constructor(core: Hypercore, cipher: StoreCipher) {
    this.gen = generation(core, cipher)
  }

  /** Opens the store and takes up the journals a crash or close left unapplied. */
  async ready(): Promise<void> {
    const { bee, cipher } = this.gen
    await bee.ready()
    for await (const node of bee.createReadStream({ gte: keys.journals(), lt: prefixEnd(keys.journals()) })) {
      const index = seqOfKey(node.key)
      this.overlay.add(index, decodeJournal(open(cipher, node.key, node.value)))
      this.nextJournal = index + 1
    }
    if (!this.overlay.empty && !this.draining) this.drainNext()
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
    const held = this.overlay.empty ? undefined : this.overlay.lookup(key.toString('hex'))
    if (held !== undefined) return held
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
    const gte = opts.gte ?? prefix
    const lt = opts.lt ?? prefixEnd(prefix)
    const journaled = this.overlay.empty ? [] : this.overlay.within(gte.toString('hex'), lt.toString('hex'))
    if (opts.reverse) journaled.reverse()
    const gen = this.enter()
    try {
      // a journal's deletes may hide stored entries: read as many more as there are journal writes
      const limit = opts.limit === undefined ? undefined : opts.limit + journaled.length
      const stream = gen.bee.createReadStream({ gte, lt, reverse: opts.reverse, limit })
      const stored = opened(gen, stream)
      yield* journaled.length === 0 ? stored : mergeRange(stored, journaled, opts.reverse ?? false, opts.limit ?? Infinity)
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
      this.quiet.touch()
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
    this.moves++
    // a batch waiting for writes to pause (quiet.ts) would hold the move up, and then apply journals the move takes anyway
    this.quiet.end()
    const moved = this.enqueue(async () => {
      const next = generation(core, cipher)
      await next.bee.ready()
      if (next.bee.core.length > 0) throw new CairnError('corrupt-profile', 'the next store core is not empty')
      if (this.failure !== null) throw this.failure
      // Journals are copied as the entries they make: copied as they are, one could carry over what a later
      // write deleted; applied to the former core first, each key is written once more only to be erased.
      await copyAll(this.gen, next, this.overlay.all())
      await switched()
      const former = this.gen
      // together, so that no read finds the journals gone and the former core still in place
      this.gen = next
      this.overlay.clear()
      await drained(former)
      await retire(former.bee)
    })
    // a move that failed leaves its journals to be applied
    return moved.finally(() => --this.moves === 0 && !this.overlay.empty && !this.draining && !this.failure && !this.closed && this.drainNext())
  }

  /**
   * Until released, journals wait for a longer pause in writes (quiet.ts): a catch-up holds the store so that applying
   * them, and the epoch move their blocks may bring, come after it. Memory stays bounded (MAX_HELD), writes as durable.
   */
  hold(): () => void {
    return this.quiet.hold()
  }

  /** Settles once no write waits and every journal is applied (the burst bench times this too). */
  async settled(): Promise<void> {
    while (this.draining) await this.queue
  }

  get isClosed(): boolean {
    return this.closed
  }

  async close(): Promise<void> {
    this.closed = true
    this.quiet.end()
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

  /**
   * Queues one batch of what waits, or else the application of the oldest journals; a move to a new
   * core queued meanwhile runs before the next one.
   */
  private drainNext(): void {
    this.draining = true
    void this.append(async () => {
      if (this.waiting.length === 0 && this.moves === 0) await this.quiet.wait(this.closed)
      if (this.waiting.length > 0 && this.overlay.size < MAX_HELD) await this.commit(this.waiting.splice(0, MAX_GROUP))
      else if (!this.overlay.empty && this.moves === 0) await this.applyJournals()
      if (this.failure === null && (this.waiting.length > 0 || (!this.overlay.empty && this.moves === 0))) this.drainNext()
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
    let journal: number | null = null
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
      // once a journal waits, every write goes through one, so that journals apply in commit order
      journal = pending.size >= JOURNAL_MIN_WRITES || !this.overlay.empty ? this.nextJournal++ : null
      if (journal === null) await putAll(gen, batch, pending)
      else await putAll(gen, batch, new Map([[keys.journal(journal).toString('hex'), encodeJournal(pending)]]))
      await batch.flush()
    } catch (err) {
      this.fail(err)
      for (const [step] of staged) step.reject(err)
      return
    } finally {
      await batch.close()
    }
    if (journal !== null) this.overlay.add(journal, pending)
    for (const [step, result] of staged) step.resolve(result)
    this.afterWrite?.()
  }

  /** Applies the oldest journals to their keys and deletes them, in one batch. */
  private async applyJournals(): Promise<void> {
    const gen = this.gen
    const { indexes, writes } = this.overlay.oldest(APPLY_WRITES)
    const batch: BeeBatch = gen.bee.batch()
    try {
      for (const index of indexes) writes.set(keys.journal(index).toString('hex'), null)
      await putAll(gen, batch, writes)
      await batch.flush()
    } catch (err) {
      this.fail(err)
      return
    } finally {
      await batch.close()
    }
    this.overlay.applied(indexes, writes)
    this.afterWrite?.()
  }

  /** A batch that failed to flush: in-memory state may be ahead of the disk, so nothing more is written. */
  private fail(err: unknown): void {
    this.failure = err instanceof Error ? err : new Error(String(err))
    for (const step of this.waiting.splice(0)) step.reject(err)
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

async function* opened(gen: Generation, stream: AsyncIterable<{ key: Buffer; value: Buffer }>): AsyncGenerator<RangeEntry> {
  for await (const node of stream) yield { key: node.key, value: open(gen.cipher, node.key, node.value) }
}

async function putAll(gen: Generation, batch: BeeBatch, writes: Writes): Promise<void> {
  for (const [hex, value] of writes) {
    const key = Buffer.from(hex, 'hex')
    if (value === null) await batch.del(key)
    else await batch.put(key, gen.cipher.seal(value, key))
  }
}

function leave(gen: Generation): void {
  gen.readers--
  if (gen.readers === 0 && gen.drained) gen.drained()
}

function drained(gen: Generation): Promise<void> {
  if (gen.readers === 0) return Promise.resolve()
  return new Promise((resolve) => (gen.drained = resolve))
}

/** Copies the live entries of `from` with the journals' writes (`journaled`, in key order) in their place, and without the journals themselves. */
async function copyAll(from: Generation, to: Generation, journaled: [string, Buffer | null][]): Promise<void> {
  const journals = keys.journals()
  let batch = to.bee.batch()
  let pending = 0
  for await (const { key, value } of mergeRange(opened(from, from.bee.createReadStream()), journaled, false, Infinity)) {
    if (key.subarray(0, journals.length).equals(journals)) continue
    await batch.put(key, to.cipher.seal(value, key))
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

// The cores the box keeps. Each is opened by key only (the box never holds a writer's secret) and
// fetched block by block as its writer's length grows, but only while the profile stays under its
// quota: the tree says how many bytes the new blocks hold before any is downloaded, so a log that
// would overflow is not fetched at all. Blocks every reader acknowledged are cleared from disk once
// the profile's expiry has passed; the tree stays, so the log's integrity and positions do not change.
// How far each profile's log was fetched is counted in memory and written at close and with each
// sweep, not on every fetch: a record rewrite per fetched batch cost the box's Hyperbee a node and
// its disk a write for every message. A box killed before writing it loses nothing: at open the
// count resumes from the record and adds the blocks found on disk past it.
import type Corestore from 'corestore'
import type Hypercore from 'hypercore'
import type { BoxDb } from './box-db'
import { dbKey, keyIds, keyTail } from './box-db'
import { HomeError } from './errors'
import type { LogRecord, ProfileRecord } from './records'

const DAY_MS = 24 * 60 * 60 * 1000

export interface KeeperEvents {
  onFetched(profile: string, log: string, length: number): void
  onOverQuota(profile: string, bytes: number, quota: number): void
}

interface Kept {
  core: Hypercore
  profiles: Set<string>
  attached: WeakSet<object>
  /** Blocks below this were cleared by expiry: never fetched again. */
  floor: number
  /** Counting runs one at a time per log, so two fetches never count the same blocks twice. */
  counting: Promise<void>
}

type Progress = Pick<LogRecord, 'fetchedUpTo' | 'fetchedBytes'>

export class Keeper {
  private readonly cores = new Map<string, Kept>()
  private readonly overQuota = new Set<string>()
  /** Fetch progress not yet written, by log record key. */
  private readonly unsaved = new Map<string, Progress>()

  constructor(
    private readonly store: Corestore,
    private readonly db: BoxDb,
    private readonly events: KeeperEvents
  ) {}

  /** Opens every log the records say is kept, so they are served and fetched from the start. */
  async load(): Promise<void> {
    const logs = new Set<string>()
    for await (const { key } of this.db.list('log')) {
      const [profile, log] = keyIds(key)
      await this.open(profile, log)
      logs.add(log)
    }
    for (const log of logs) await this.count(log)
  }

  /** Throws HomeError('quota-exceeded') when the profile is already at or over its quota. */
  async keep(profile: string, record: ProfileRecord, logKey: Buffer, now: number): Promise<void> {
    const log = logKey.toString('hex')
    const usage = await this.usage(profile)
    if (usage >= record.quota) {
      throw new HomeError('quota-exceeded', `this profile holds ${usage} bytes of its ${record.quota}-byte quota: nothing more is kept`)
    }
    if ((await this.db.get('log', dbKey.log(profile, log))) === null) {
      const fresh = { addedAt: now, ackedUpTo: 0, ackedAt: 0, clearedUpTo: 0, clearedBytes: 0, fetchedUpTo: 0, fetchedBytes: 0 }
      await this.db.put('log', dbKey.log(profile, log), fresh)
    }
    await this.open(profile, log)
  }

  async drop(profile: string, log: string): Promise<void> {
    await this.db.del(dbKey.log(profile, log))
    this.unsaved.delete(dbKey.log(profile, log))
    const kept = this.cores.get(log)
    if (kept === undefined) return
    kept.profiles.delete(profile)
    if (kept.profiles.size === 0) {
      this.cores.delete(log)
      await kept.core.clear(0, kept.core.length)
      await kept.core.close()
    }
  }

  isKept(profile: string, log: string): boolean {
    return this.cores.get(log)?.profiles.has(profile) ?? false
  }

  /** Replicates one kept core on a connection (at most once per connection). */
  attach(log: string, stream: object): void {
    const kept = this.cores.get(log)
    if (kept === undefined || kept.attached.has(stream)) return
    kept.attached.add(stream)
    kept.core.replicate(stream)
  }

  /** Bytes of the profile's logs on the box's disk now: what was fetched, less what expiry cleared. */
  async held(profile: string): Promise<number> {
    let bytes = 0
    for await (const { key, value } of this.db.list('log', `${profile}/`)) {
      bytes += (this.unsaved.get(key)?.fetchedBytes ?? value.fetchedBytes) - value.clearedBytes
    }
    return bytes
  }

  /** Bytes the profile's logs would take: every block of every kept log, less what expiry cleared. */
  async usage(profile: string): Promise<number> {
    let bytes = 0
    for await (const { key, value } of this.db.list('log', `${profile}/`)) {
      const kept = this.cores.get(keyTail(key))
      if (kept !== undefined) bytes += kept.core.byteLength - value.clearedBytes
    }
    return bytes
  }

  async logsOf(profile: string): Promise<string[]> {
    const logs: string[] = []
    for await (const { key } of this.db.list('log', `${profile}/`)) logs.push(keyTail(key))
    return logs
  }

  isOverQuota(profile: string): boolean {
    return this.overQuota.has(profile)
  }

  async ack(profile: string, log: string, upTo: number, now: number): Promise<void> {
    const key = dbKey.log(profile, log)
    const record = await this.record(key)
    if (record === null) throw new HomeError('not-granted', 'this home node does not keep that log for this profile')
    const kept = this.cores.get(log)
    const bounded = Math.min(upTo, kept?.core.length ?? 0)
    if (bounded <= record.ackedUpTo) return
    await this.write(key, { ...record, ackedUpTo: bounded, ackedAt: now })
  }

  /** Writes the fetch progress counted since the last save. */
  async save(): Promise<void> {
    for (const key of [...this.unsaved.keys()]) {
      const record = await this.record(key)
      if (record !== null) await this.write(key, record)
    }
  }

  /** Clears acknowledged blocks whose expiry has passed; returns how many bytes were freed. */
  async sweep(profile: string, expireDays: number, now: number): Promise<number> {
    let freed = 0
    for await (const entry of this.db.list('log', `${profile}/`)) {
      const { key } = entry
      const value = { ...entry.value, ...this.unsaved.get(key) }
      if (value.ackedUpTo <= value.clearedUpTo || now - value.ackedAt < expireDays * DAY_MS) continue
      const kept = this.cores.get(keyTail(key))
      if (kept === undefined) continue
      const bytes = await this.blockBytes(kept.core, value.clearedUpTo, value.ackedUpTo)
      await kept.core.clear(value.clearedUpTo, value.ackedUpTo)
      const next: LogRecord = { ...value, clearedUpTo: value.ackedUpTo, clearedBytes: value.clearedBytes + bytes }
      await this.write(key, next)
      kept.floor = Math.max(kept.floor, next.clearedUpTo)
      freed += bytes
    }
    return freed
  }

  async close(): Promise<void> {
    const all = [...this.cores.values()]
    await Promise.allSettled(all.map((kept) => kept.counting))
    await this.save()
    this.cores.clear()
    await Promise.allSettled(all.map(({ core }) => core.close()))
  }

  private async blockBytes(core: Hypercore, start: number, end: number): Promise<number> {
    let bytes = 0
    for (let i = start; i < end; i++) {
      const block = await core.get(i, { wait: false })
      if (block !== null) bytes += block.byteLength
    }
    return bytes
  }

  private async open(profile: string, log: string): Promise<void> {
    const existing = this.cores.get(log)
    if (existing !== undefined) {
      existing.profiles.add(profile)
      return
    }
    const core = this.store.get({ key: Buffer.from(log, 'hex') })
    await core.ready()
    const record = await this.db.get('log', dbKey.log(profile, log))
    const kept: Kept = { core, profiles: new Set([profile]), attached: new WeakSet(), floor: record?.clearedUpTo ?? 0, counting: Promise.resolve() }
    this.cores.set(log, kept)
    core.on('append', () => void this.fetch(log).catch(() => undefined))
    void this.fetch(log).catch(() => undefined)
  }

  private async fetch(log: string): Promise<void> {
    const kept = this.cores.get(log)
    if (kept === undefined) return
    const start = Math.max(kept.core.contiguousLength, kept.floor)
    if (start >= kept.core.length) return
    for (const profile of kept.profiles) {
      const record = await this.db.get('profile', dbKey.profile(profile))
      if (record === null) continue
      const usage = await this.usage(profile)
      if (usage > record.quota) {
        if (!this.overQuota.has(profile)) this.events.onOverQuota(profile, usage, record.quota)
        this.overQuota.add(profile)
        return
      }
      this.overQuota.delete(profile)
    }
    await kept.core.download({ start, end: kept.core.length }).done()
    await this.count(log)
  }

  /** Counts, for every profile keeping the log, the blocks on disk past what it was told of. */
  private count(log: string): Promise<void> {
    const kept = this.cores.get(log)
    if (kept === undefined) return Promise.resolve()
    kept.counting = kept.counting.then(async () => {
      for (const profile of kept.profiles) {
        const key = dbKey.log(profile, log)
        const record = await this.record(key)
        if (record === null) continue
        const end = await presentUpTo(kept.core, Math.max(record.fetchedUpTo, kept.floor))
        if (end <= record.fetchedUpTo) continue
        const bytes = await this.blockBytes(kept.core, record.fetchedUpTo, end)
        this.unsaved.set(key, { fetchedUpTo: end, fetchedBytes: record.fetchedBytes + bytes })
        this.events.onFetched(profile, log, end)
      }
    })
    // A count that failed (the log closed under it) leaves the progress where it was, and the next
    // count starts from there; the chain must not stay rejected.
    kept.counting = kept.counting.catch(() => undefined)
    return kept.counting
  }

  /** The log's record with the progress counted since it was last written. */
  private async record(key: string): Promise<LogRecord | null> {
    const record = await this.db.get('log', key)
    return record === null ? null : { ...record, ...this.unsaved.get(key) }
  }

  private async write(key: string, record: LogRecord): Promise<void> {
    await this.db.put('log', key, record)
    if (this.unsaved.get(key)?.fetchedUpTo === record.fetchedUpTo) this.unsaved.delete(key)
  }
}

/** The first block at or after `from` that is not on disk (or the log's length). */
async function presentUpTo(core: Hypercore, from: number): Promise<number> {
  let at = Math.max(from, core.contiguousLength)
  while (at < core.length && (await core.has(at))) at++
  return at
}

// The home node itself: a box folder (its key, a corestore of the logs it keeps and its Hyperbee of
// records) and, once listening, one Hyperswarm server on the box key. Devices and contacts dial that
// key directly; the only topics it announces are the inbox topics of profiles that published
// prekeys, so a DHT observer sees a key that serves some inboxes and never which logs it keeps.
// Its firewall lets paired devices and granted contacts through; strangers and revoked devices only
// under a per-minute rate and a cap on how many are connected, to be told no (or to pair, fetch a
// bundle, leave a sealed request).
import { EventEmitter } from 'node:events'
import Corestore from 'corestore'
import HyperDHT, { type HostPort, type KeyPair, type NoiseSecretStream } from 'hyperdht'
import Hyperswarm from 'hyperswarm'
import { Admission, type AdmissionLimits } from '../net/admission'
import { pruneInfoLogs } from '../profile/info-logs'
import { profileStorage, profileStoreOptions, storageDbDir } from '../profile/storage'
import { BoxDb } from './box-db'
import { boxLayout, loadBoxKey } from './box-key'
import { profileStatus, serveConnection, type SessionDeps } from './box-session'
import type { HomeError } from './errors'
import { Keeper } from './keeper'
import { encodePairingCode } from './pairing-code'
import { DEFAULT_EXPIRE_DAYS, DEFAULT_QUOTA_BYTES, Registry, type ProfileRules } from './registry'
import type { ProfileStatus } from './wire'

export interface BoxOptions {
  dir: string
  bootstrap?: HostPort[]
  now?: () => number
  limits?: AdmissionLimits
}

export type BoxEvent =
  | { type: 'listening'; box: string }
  | { type: 'paired'; profile: string }
  | { type: 'refused'; op: string; code: string; message: string }
  | { type: 'fetched'; profile: string; log: string; length: number }
  | { type: 'over-quota'; profile: string; bytes: number; quota: number }
  | { type: 'unlinked'; profile: string }
  | { type: 'swept'; profile: string; bytes: number }

export interface BoxStatus {
  box: string
  listening: boolean
  connections: number
  profiles: ({ profile: string } & ProfileStatus)[]
}

const DEFAULT_LIMITS: AdmissionLimits = { requestsPerMinute: 30, maxUnknownConnections: 16 }

function bindHost(bootstrap: HostPort[] | undefined): string | undefined {
  if (bootstrap === undefined || bootstrap.length === 0) return undefined
  return bootstrap.every(({ host }) => host.startsWith('127.') || host === 'localhost') ? '127.0.0.1' : undefined
}

/** Fetching quiet this long: the box's write-ahead log is flushed into a table. */
const FLUSH_QUIET_MS = 5_000

export class HomeBox extends EventEmitter {
  private swarm: Hyperswarm | null = null
  private readonly admission: Admission
  private readonly streams = new Set<NoiseSecretStream>()
  private readonly joined = new Set<string>()
  private readonly now: () => number
  private settle: NodeJS.Timeout | null = null

  private constructor(
    readonly keyPair: KeyPair,
    private readonly store: Corestore,
    private readonly db: BoxDb,
    readonly registry: Registry,
    readonly keeper: Keeper,
    private readonly opts: BoxOptions
  ) {
    super()
    this.now = opts.now ?? Date.now
    this.admission = new Admission(opts.limits ?? DEFAULT_LIMITS)
  }

  /** Throws HomeError('no-box') when the folder was never initialised. */
  static async open(opts: BoxOptions): Promise<HomeBox> {
    const keyPair = await loadBoxKey(opts.dir)
    // A profile's memory bounds (profile/storage.ts): the box keeps many logs and runs for months.
    await pruneInfoLogs(storageDbDir(boxLayout(opts.dir).cores))
    const store = new Corestore(profileStorage(boxLayout(opts.dir).cores), profileStoreOptions())
    await store.ready()
    const db = await BoxDb.open(store)
    const registry = await Registry.open(db)
    let box: HomeBox | null = null
    const keeper = new Keeper(store, db, {
      onFetched: (profile, log, length) => box?.emitEvent({ type: 'fetched', profile, log, length }),
      onOverQuota: (profile, bytes, quota) => box?.emitEvent({ type: 'over-quota', profile, bytes, quota })
    })
    box = new HomeBox(keyPair, store, db, registry, keeper, opts)
    await keeper.load()
    return box
  }

  get dir(): string {
    return this.opts.dir
  }

  get publicKey(): Buffer {
    return this.keyPair.publicKey
  }

  async listen(): Promise<void> {
    const dht = new HyperDHT({ bootstrap: this.opts.bootstrap, host: bindHost(this.opts.bootstrap) })
    const swarm = new Hyperswarm({ keyPair: this.keyPair, dht, firewall: (remote) => !this.admit(remote) })
    this.swarm = swarm
    swarm.on('connection', (stream) => this.onConnection(stream))
    await swarm.listen()
    await this.announceInboxes()
    this.emitEvent({ type: 'listening', box: this.publicKey.toString('hex') })
  }

  async createPairingCode(rules: Partial<ProfileRules> = {}): Promise<string> {
    const code = await this.registry.createCode(
      this.publicKey,
      { quota: rules.quota ?? DEFAULT_QUOTA_BYTES, expireDays: rules.expireDays ?? DEFAULT_EXPIRE_DAYS },
      this.now()
    )
    return encodePairingCode(code)
  }

  async status(): Promise<BoxStatus> {
    const profiles = []
    for (const { profile } of await this.registry.profiles()) profiles.push({ profile, ...(await profileStatus(profile, this)) })
    return { box: this.publicKey.toString('hex'), listening: this.swarm !== null, connections: this.streams.size, profiles }
  }

  /** Revokes the profile's device, forgets its records and clears the logs no other profile keeps. */
  async unlink(profile: string, asking: NoiseSecretStream | null = null): Promise<void> {
    for (const log of await this.keeper.logsOf(profile)) await this.keeper.drop(profile, log)
    const device = await this.registry.unlink(profile, this.now())
    if (device === null) return
    for (const stream of this.streams) if (stream !== asking && stream.remotePublicKey.equals(device)) stream.destroy()
    this.emitEvent({ type: 'unlinked', profile })
  }

  /** Applies every profile's expiry rule now and writes the fetch progress counted since the last sweep; returns the bytes freed. */
  async sweep(): Promise<number> {
    let freed = 0
    for (const { profile, record } of await this.registry.profiles()) {
      const bytes = await this.keeper.sweep(profile, record.expireDays, this.now())
      if (bytes > 0) this.emitEvent({ type: 'swept', profile, bytes })
      freed += bytes
    }
    await this.keeper.save()
    return freed
  }

  async close(): Promise<void> {
    for (const stream of this.streams) stream.destroy()
    if (this.swarm !== null) await this.swarm.destroy()
    this.swarm = null
    if (this.settle !== null) clearTimeout(this.settle)
    await this.keeper.close()
    await this.db.close()
    await this.flush()
    await this.store.close()
  }

  private admit(remote: Buffer): boolean {
    if (this.registry.isKnown(remote)) return true
    return this.admission.admit(remote.toString('hex'), null, this.now())
  }

  private onConnection(stream: NoiseSecretStream): void {
    const key = stream.remotePublicKey.toString('hex')
    const known = this.registry.isKnown(stream.remotePublicKey)
    if (!known) this.admission.opened(key)
    this.streams.add(stream)
    stream.on('error', () => undefined)
    stream.once('close', () => {
      this.streams.delete(stream)
      if (!known) this.admission.closed(key)
    })
    serveConnection(stream, this.sessionDeps(), () => stream.destroy())
  }

  private sessionDeps(): SessionDeps {
    return {
      boxKey: this.publicKey,
      registry: this.registry,
      keeper: this.keeper,
      now: this.now,
      onPaired: (profile) => this.emitEvent({ type: 'paired', profile }),
      onPublished: () => this.announceInboxes(),
      onRefused: (op, err: HomeError) => this.emitEvent({ type: 'refused', op, code: err.code, message: err.message }),
      unlink: (profile, asking) => this.unlink(profile, asking)
    }
  }

  /** Called after a profile publishes: its inbox topic is announced from then on. */
  async announceInboxes(): Promise<void> {
    if (this.swarm === null) return
    for (const topic of this.registry.inboxTopics()) {
      const hex = topic.toString('hex')
      if (this.joined.has(hex)) continue
      this.joined.add(hex)
      await this.swarm.join(topic, { server: true, client: false }).flushed()
    }
  }

  private emitEvent(event: BoxEvent): void {
    this.emit('event', event)
    if (event.type === 'fetched') this.flushWhenQuiet()
  }

  /**
   * What was fetched is moved from RocksDB's write-ahead log into a sorted table once fetching goes
   * quiet (and at close). The log holds every write of a replication batch, each rewrite of the same
   * bitfield page and tree node included: left there, 1,000 short messages cost the disk 4.4 times
   * their ciphertext; flushed, the rewrites are gone and what stays is the blocks and their Merkle
   * tree (measured in bench/home.bench.ts).
   */
  private flushWhenQuiet(): void {
    if (this.settle !== null) clearTimeout(this.settle)
    this.settle = setTimeout(() => {
      this.settle = null
      // a flush that fails leaves the writes in the log, durable as before; the next one or close retries
      this.flush().catch(() => undefined)
    }, FLUSH_QUIET_MS)
    this.settle.unref()
  }

  private async flush(): Promise<void> {
    await this.store.storage.db.flush()
  }
}

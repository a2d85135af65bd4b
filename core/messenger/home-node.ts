// The messenger's side of home nodes (core/home): my own box, which keeps both logs of every
// conversation and lets each contact in with the visiting key our pair secret gives them, and my
// contacts' boxes, which I visit while a contact is offline to leave my log there and read theirs.
// Every connection is dialled by box key over one DHT of its own; nothing here announces anything.
import HyperDHT, { type HostPort } from 'hyperdht'
import type Hypercore from 'hypercore'
import { CairnError } from '../api/errors'
import type { HomeNodeStatus } from '../api/types'
import {
  decodeIntroduction,
  HomeClient,
  HomeError,
  linkKeyPair,
  openRequest,
  sealBundle,
  visitingKeyPair,
  visitorKey,
  type HomeLink,
  type Introduction
} from '../home'
import { inboxTopic } from '../protocol/topics'
import { forgetHomeLink, pairIdentity } from '../home/device'
import type { Conversation } from './conversation'
import { Introducer } from './introductions'
import type { Self } from './self'

const RESYNC_MS = 5_000
// How often a visit looks at what the contact's box holds of my log ('delivered to their home node').
const WATCH_MS = 500
// My box hands out one-time prekeys: topped up to SUPPLY_TARGET once fewer than SUPPLY_LOW are left.
const SUPPLY_TARGET = 20
const SUPPLY_LOW = 10

export interface HomeNodeDeps {
  /** Me: my identity, my current bundle (my box serves it sealed), my name, my one-time prekeys. */
  self: Self
  bootstrap?: HostPort[]
  profileDir: string
  /** My link to my own box, or null without one. */
  link: HomeLink | null
  conversations(): Iterable<Conversation>
  /** An introduction someone left on my box (a request, or the next blocks of a contact's log). */
  introduced(intro: Introduction): Promise<void>
  log(message: string): void
}

function bindHost(bootstrap: HostPort[] | undefined): string | undefined {
  if (bootstrap === undefined || bootstrap.length === 0) return undefined
  return bootstrap.every(({ host }) => host.startsWith('127.') || host === 'localhost') ? '127.0.0.1' : undefined
}

export class HomeNodes {
  private dht: HyperDHT | null = null
  private own: HomeClient | null = null
  private readonly kept = new Set<string>()
  private readonly granted = new Map<string, string>()
  private readonly visits = new Map<string, { client: HomeClient; wanted: Set<string>; watch: NodeJS.Timeout }>()
  private readonly timer: NodeJS.Timeout
  private running: Promise<void> | null = null
  /** A sync asked for while a pass ran: that pass may have gone by the change, so another follows. */
  private again = false
  private closed = false
  private link: HomeLink | null
  private lastSync: number | null = null
  private published: string | null = null
  private readonly introducer: Introducer

  constructor(private readonly deps: HomeNodeDeps) {
    this.link = deps.link
    this.introducer = new Introducer({ identity: deps.self.identity, name: () => deps.self.name, dht: () => this.network(), homeBox: () => this.box })
    this.timer = setInterval(() => this.sync(), RESYNC_MS)
    this.timer.unref()
  }

  get box(): Buffer | null {
    return this.link?.boxKey ?? null
  }

  async homeNode(): Promise<HomeNodeStatus> {
    const offline = { online: false, bytes: 0, quota: 0, logs: 0, requests: 0, lastSync: this.lastSync }
    if (this.link === null) return { linked: false, box: null, ...offline }
    const box = this.link.boxKey.toString('hex')
    await this.sync()
    if (this.own === null || this.own.stream.destroyed) return { linked: true, box, ...offline }
    try {
      const s = await this.own.status()
      return { linked: true, box, online: true, bytes: s.bytes, quota: s.quota, logs: s.logs, requests: s.requests, lastSync: this.lastSync }
    } catch {
      return { linked: true, box, ...offline }
    }
  }

  /** Pairs with the code's box, then tells every contact (my hello names my box). */
  async linkHomeNode(code: string): Promise<HomeNodeStatus> {
    await asApiError(this.pair(code))
    for (const c of this.deps.conversations()) c.sendHello()
    return this.homeNode()
  }

  unlinkHomeNode(): Promise<void> {
    return asApiError(this.unlink())
  }

  /** Throws HomeError naming what the box refused. */
  private async pair(code: string): Promise<void> {
    const { link } = await pairIdentity(this.deps.profileDir, this.deps.self.identity.secretKey, code, { dht: this.network() })
    this.link = link
    await this.sync()
  }

  /** Tells the box to forget me, then forgets the link; throws (and keeps the link) if it cannot be told. */
  private async unlink(): Promise<void> {
    if (this.link === null) throw new HomeError('no-profile', 'this profile is not linked to a home node')
    await this.running
    if (this.own === null || this.own.stream.destroyed) await this.syncOwn()
    await this.own!.unlink()
    await this.own!.close()
    this.own = null
    this.link = null
    this.kept.clear()
    this.granted.clear()
    await forgetHomeLink(this.deps.profileDir)
  }

  /** Brings my box and my visits up to date; runs one pass at a time. */
  sync(): Promise<void> {
    if (this.closed) return Promise.resolve()
    if (this.running) {
      this.again = true
      return this.running
    }
    this.running = this.pass()
      .catch((err: unknown) => this.deps.log(`home node: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => {
        this.running = null
        if (this.again) {
          this.again = false
          void this.sync()
        }
      })
    return this.running
  }

  /**
   * Lets the pass under way finish, and the one a contact's log adopted during it asked for, so a
   * contact met just before closing is kept by my box; then no pass starts again.
   */
  async close(): Promise<void> {
    clearInterval(this.timer)
    for (let i = 0; i < 2 && this.running; i++) await this.running
    this.closed = true
    await this.running
    for (const { client, watch } of this.visits.values()) {
      clearInterval(watch)
      await client.close()
    }
    this.visits.clear()
    await this.own?.close()
    await this.dht?.destroy()
  }

  private network(): HyperDHT {
    this.dht ??= new HyperDHT({ bootstrap: this.deps.bootstrap, host: bindHost(this.deps.bootstrap) })
    return this.dht
  }

  private async pass(): Promise<void> {
    await this.syncOwn()
    for (const c of this.deps.conversations()) {
      await this.visit(c)
      await this.introducer.step(c).catch((err: unknown) => this.deps.log(`introduction: ${err instanceof Error ? err.message : String(err)}`))
    }
  }

  private async syncOwn(): Promise<void> {
    const link = this.link
    if (link === null) return
    if (this.own === null || this.own.stream.destroyed) {
      this.kept.clear()
      this.granted.clear()
      this.published = null
      const keyPair = linkKeyPair(this.deps.self.identity.secretKey, link.boxKey, link.salt)
      this.own = await HomeClient.connect(link.boxKey, { keyPair, dht: this.network() })
    }
    await this.publish()
    await this.topUp()
    await this.collect()
    for (const c of this.deps.conversations()) {
      if (c.record.blocked) continue
      const logs = [c.cores.mine, c.cores.theirs].filter((core): core is Hypercore => core?.key != null)
      for (const core of logs) {
        const hex = core.key!.toString('hex')
        if (this.kept.has(hex)) continue
        await this.own.keep(core)
        this.kept.add(hex)
      }
      const guest = visitorKey(this.deps.self.identity, c.key.bytes, link.boxKey)
      const grant = logs.map((core) => core.key!.toString('hex')).join()
      if (logs.length === 0 || this.granted.get(c.key.hex) === grant) continue
      await this.own.grant(guest, logs.map((core) => core.key!))
      this.granted.set(c.key.hex, grant)
    }
    this.lastSync = Date.now()
  }

  private watchHome(c: Conversation, boxKey: Buffer): void {
    const box = c.cores.mine?.peers.find((p) => p.remotePublicKey.equals(boxKey))
    if (box && box.remoteContiguousLength > (c.record.atHome ?? 0)) {
      c.reachedHome(box.remoteContiguousLength).catch((err: unknown) => this.deps.log(`home node: ${String(err)}`))
    }
  }

  private async publish(): Promise<void> {
    const bundle = this.deps.self.bundle()
    if (this.own === null || this.published === bundle.toString('hex')) return
    const me = this.deps.self.identity.publicKey
    await this.own.publish(inboxTopic(me), sealBundle(me, bundle), [])
    this.published = bundle.toString('hex')
  }

  private async topUp(): Promise<void> {
    const held = await this.own!.supply([])
    if (held >= SUPPLY_LOW) return
    await this.own!.supply(await this.deps.self.oneTime.make(this.deps.self.identity, SUPPLY_TARGET - held))
  }

  /** Takes the introductions waiting on my box; the box forgets each once it was handled here. */
  private async collect(): Promise<void> {
    let handled = 0
    for (;;) {
      const items = await this.own!.requests(handled)
      if (items.length === 0) return
      for (const { seq, sealed } of items) {
        try {
          await this.deps.introduced(decodeIntroduction(openRequest(this.deps.self.identity, sealed)))
        } catch (err) {
          this.deps.log(`a request on my home node was refused: ${err instanceof Error ? err.message : String(err)}`)
        }
        handled = Math.max(handled, seq)
      }
    }
  }

  /** While a contact with a home node is offline, my log and theirs replicate through their box. */
  private async visit(c: Conversation): Promise<void> {
    const box = c.record.home
    const current = this.visits.get(c.key.hex)
    if (box === undefined || c.record.blocked || c.presence !== 'offline') {
      if (current) {
        this.visits.delete(c.key.hex)
        clearInterval(current.watch)
        await current.client.close()
      }
      return
    }
    let visit = current && !current.client.stream.destroyed ? current : undefined
    if (current && !visit) clearInterval(current.watch)
    if (!visit) {
      const boxKey = Buffer.from(box, 'hex')
      const client = await HomeClient.connect(boxKey, { keyPair: visitingKeyPair(this.deps.self.identity, c.key.bytes, boxKey), dht: this.network() })
      const watch = setInterval(() => this.watchHome(c, boxKey), WATCH_MS)
      watch.unref()
      visit = { client, wanted: new Set(), watch }
      this.visits.set(c.key.hex, visit)
    }
    for (const core of [c.cores.mine, c.cores.theirs]) {
      if (!core?.key || visit.wanted.has(core.key.toString('hex'))) continue
      await visit.client.want(core)
      visit.wanted.add(core.key.toString('hex'))
    }
  }
}

/** What the home node refused crosses the API as 'home-node' with the box's own sentence. */
async function asApiError<T>(work: Promise<T>): Promise<T> {
  try {
    return await work
  } catch (err) {
    if (err instanceof HomeError) throw new CairnError('home-node', err.message)
    throw err
  }
}

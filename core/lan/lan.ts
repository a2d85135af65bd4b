import { EventEmitter } from 'node:events'
import type HyperDHT from 'hyperdht'
import type { KeyPair } from 'hyperdht'
import { CairnError } from '../api/errors'
import { LanDiscovery, type LanEndpoint } from './discovery'
import { lanAddress } from './interfaces'
import { createLocalDht, type LocalDht } from './local-dht'

export interface LanOptions {
  /** Default key pair of the LAN DHT node (the swarm on top uses its own). */
  keyPair?: KeyPair
  /** Interface names to run on, in order of preference; default: the first with an external IPv4 address. */
  interfaces?: string[]
  /** How often to re-advertise; nodes silent for about three intervals are forgotten. Default 5000. */
  announceIntervalMs?: number
}

/** Emits 'peers' (count) whenever the set of discovered LAN nodes changes. */
export interface Lan extends EventEmitter {
  /** A HyperDHT made of the nodes discovery found, ready to hand to Network.addDht. */
  readonly dht: HyperDHT
  /** How many other Cairn nodes are currently heard on the link. */
  readonly nodes: number
  /** The IPv4 address this node runs on. */
  readonly address: string
  close(): Promise<void>
}

const DEFAULT_INTERVAL_MS = 5000
const MIN_INTERVAL_MS = 200
const MAX_INTERVAL_MS = 60_000
// New nodes tend to arrive together (everyone answers the first query); refresh the swarm once for the lot.
const REFRESH_DEBOUNCE_MS = 50

class LocalNetwork extends EventEmitter implements Lan {
  private refreshTimer: NodeJS.Timeout | null = null
  private closing: Promise<void> | null = null

  readonly dht: HyperDHT

  constructor(
    private readonly local: LocalDht,
    readonly address: string,
    private readonly discovery: LanDiscovery
  ) {
    super()
    this.dht = local.dht
    discovery.on('up', (node: LanEndpoint) => {
      local.addNode(node)
      // The node heard is the only one: until now this host was alone (or cut off).
      if (this.nodes === 1) this.scheduleRefresh()
      this.emit('peers', this.nodes)
    })
    discovery.on('down', () => this.emit('peers', this.nodes))
  }

  get nodes(): number {
    return this.discovery.endpoints.length
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.refreshTimer) clearTimeout(this.refreshTimer)
      await this.discovery.close()
      await this.local.destroy()
    })()
    return this.closing
  }

  /**
   * Announcements made while a node was alone (or cut off) reached only its own storage node, and
   * its lookups found nobody. 'network-change' is what HyperDHT servers and Hyperswarm already answer by
   * re-announcing and re-looking-up every topic, so a newcomer is found without waiting for the
   * swarm's ten-minute refresh. Only then: a host that already knew others has its records on them,
   * and a newcomer's own lookups find it there. Refreshing at every arrival made each of n hosts
   * starting together refresh every topic up to n times, and on a loaded machine a host that missed
   * a few adverts forgot and re-heard its neighbours, each time refreshing again: with 20 hosts the
   * refreshes kept the CPU saturated, the LAN DHTs' requests timed out, and connecting took minutes.
   */
  private scheduleRefresh(): void {
    if (this.refreshTimer || this.closing) return
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null
      if (!this.closing) this.dht.emit('network-change', [])
    }, REFRESH_DEBOUNCE_MS)
  }
}

/** Starts discovery on the local link and the LAN DHT it feeds. Never contacts a public bootstrap node. */
export async function startLan(opts: LanOptions = {}): Promise<Lan> {
  const interval = opts.announceIntervalMs ?? DEFAULT_INTERVAL_MS
  if (!Number.isInteger(interval) || interval < MIN_INTERVAL_MS || interval > MAX_INTERVAL_MS) {
    throw new CairnError(
      'invalid-argument',
      `announceIntervalMs must be an integer from ${MIN_INTERVAL_MS} to ${MAX_INTERVAL_MS}`
    )
  }
  const address = lanAddress(opts.interfaces)
  const local = await createLocalDht({ address, keyPair: opts.keyPair })
  try {
    const discovery = await LanDiscovery.start({ address, port: local.storage.port, announceIntervalMs: interval })
    return new LocalNetwork(local, address, discovery)
  } catch (err) {
    await local.destroy()
    throw CairnError.from(err)
  }
}

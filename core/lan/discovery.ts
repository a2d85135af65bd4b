import { EventEmitter } from 'node:events'
import { randomBytes } from 'node:crypto'
import multicastDns, { type MulticastDNS, type Packet } from 'multicast-dns'
import type { RemoteInfo } from 'node:dgram'
import { CairnError } from '../api/errors'
import { SERVICE, advertisementRecords, asksForService, parseAdvertisements } from './advert'

export interface LanEndpoint {
  host: string
  port: number
}

export interface DiscoveryOptions {
  /** IPv4 address of the interface to advertise on and listen to. */
  address: string
  /** Port of the LAN DHT node being advertised. */
  port: number
  announceIntervalMs: number
}

// A hostile node could advertise thousands of fake peers; past this we simply stop listening to new ones.
const MAX_NODES = 256
// Answer floods of queries at most this often.
const MIN_ANSWER_GAP_MS = 250
const MIN_TTL_S = 3
const MAX_TTL_S = 120

interface Known extends LanEndpoint {
  expiresAt: number
}

/**
 * Multicast DNS on one link: advertises our DHT endpoint under a random per-start instance name,
 * answers queries for the service, and keeps the set of endpoints heard from recently.
 * Emits 'up' (LanEndpoint) when an endpoint is first heard and 'down' (LanEndpoint) when it says
 * goodbye or falls silent past its TTL.
 */
export class LanDiscovery extends EventEmitter {
  private readonly mdns: MulticastDNS
  private readonly instance = randomBytes(8).toString('hex')
  private readonly known = new Map<string, Known>()
  private readonly ttl: number
  private timer: NodeJS.Timeout | null = null
  private answerTimer: NodeJS.Timeout | null = null
  private lastAnswer = 0
  private closed = false

  private constructor(
    private readonly opts: DiscoveryOptions,
    mdns: MulticastDNS
  ) {
    super()
    this.mdns = mdns
    this.ttl = Math.ceil((3 * opts.announceIntervalMs) / 1000)
    // Send failures while the link is down are expected; the next announcement retries. A later
    // 'error' (the socket refused after the bind) must not take the whole node down with it.
    mdns.on('warning', () => {})
    mdns.on('error', () => {})
    mdns.on('query', (packet) => this.onQuery(packet))
    mdns.on('response', (packet, rinfo) => this.onResponse(packet, rinfo))
  }

  static async start(opts: DiscoveryOptions): Promise<LanDiscovery> {
    // Bound to the wildcard so group traffic arrives; the interface option pins membership and sends to the LAN.
    const mdns = multicastDns({ interface: opts.address, bind: '0.0.0.0' })
    await new Promise<void>((resolve, reject) => {
      // multicast-dns reports 'error' only for a failed bind, which is fatal here.
      const onError = (err: Error) => {
        mdns.destroy()
        reject(new CairnError('internal', `LAN discovery could not open multicast DNS: ${err.message}`))
      }
      mdns.once('error', onError)
      mdns.once('ready', () => {
        mdns.removeListener('error', onError)
        resolve()
      })
    })
    const discovery = new LanDiscovery(opts, mdns)
    discovery.mdns.query([{ name: SERVICE, type: 'PTR' }])
    discovery.announce(discovery.ttl)
    discovery.timer = setInterval(() => discovery.tick(), opts.announceIntervalMs)
    return discovery
  }

  get endpoints(): LanEndpoint[] {
    return [...this.known.values()].map(({ host, port }) => ({ host, port }))
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    if (this.timer) clearInterval(this.timer)
    if (this.answerTimer) clearTimeout(this.answerTimer)
    await new Promise<void>((resolve) => this.mdns.respond(this.records(0), () => resolve()))
    await new Promise<void>((resolve) => this.mdns.destroy(resolve))
    this.known.clear()
  }

  private records(ttl: number) {
    return advertisementRecords({ instance: this.instance, host: this.opts.address, port: this.opts.port, ttl })
  }

  private announce(ttl: number): void {
    if (this.closed) return
    this.mdns.respond(this.records(ttl))
  }

  private tick(): void {
    this.announce(this.ttl)
    const now = Date.now()
    for (const [key, node] of this.known) {
      if (node.expiresAt <= now) this.forget(key)
    }
  }

  private onQuery(packet: Packet): void {
    if (this.closed || !asksForService(packet) || this.answerTimer) return
    const wait = Math.max(0, this.lastAnswer + MIN_ANSWER_GAP_MS - Date.now())
    this.answerTimer = setTimeout(() => {
      this.answerTimer = null
      this.lastAnswer = Date.now()
      this.announce(this.ttl)
    }, wait)
  }

  private onResponse(packet: Packet, rinfo: RemoteInfo): void {
    if (this.closed) return
    for (const ad of parseAdvertisements(packet, rinfo.address)) {
      if (ad.instance === this.instance) continue
      const key = `${ad.host}:${ad.port}`
      if (ad.ttl === 0) {
        this.forget(key)
        continue
      }
      const expiresAt = Date.now() + Math.min(MAX_TTL_S, Math.max(MIN_TTL_S, ad.ttl)) * 1000
      const known = this.known.get(key)
      if (known) {
        known.expiresAt = expiresAt
        continue
      }
      if (this.known.size >= MAX_NODES) continue
      this.known.set(key, { host: ad.host, port: ad.port, expiresAt })
      this.emit('up', { host: ad.host, port: ad.port })
    }
  }

  private forget(key: string): void {
    const node = this.known.get(key)
    if (!node) return
    this.known.delete(key)
    this.emit('down', { host: node.host, port: node.port })
  }
}

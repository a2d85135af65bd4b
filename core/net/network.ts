import { EventEmitter } from 'events'
import Hyperswarm, { type PeerDiscoverySession } from 'hyperswarm'
import HyperDHT from 'hyperdht'
import type { NoiseSecretStream } from 'hyperdht'
import type { IdentityKeyPair } from '../identity'
import type { NetworkMode } from '../api/types'
import { CairnError } from '../api/errors'
import { Admission } from './admission'
import { Backoff, type BackoffOptions } from './backoff'
import { encodeRequestFrame, KEY_BYTES, type RequestFrame } from './frames'
import { Link } from './link'
import type { Peer } from './peer'
import { inboxTopic, pairTopics } from '../protocol/topics'
import type { NetworkOptions, PeerClass } from './types'

const DEFAULT_REQUESTS_PER_MINUTE = 20
const DEFAULT_MAX_UNKNOWN = 8
const DEFAULT_INBOX_TIMEOUT_MS = 10_000
const DEFAULT_RETRY: BackoffOptions = { initialMs: 1_000, maxMs: 120_000 }
// Hyperswarm stops dialling beyond maxPeers open connections (default 64); a node may have more
// contacts online than that, and strangers are capped separately by the admission limits.
const MAX_PEERS = 512
// Listening announces this node on the DHT; with the DHT unreachable that takes until queries time
// out. ready() stops waiting after this long and listening carries on in the background.
const READY_WAIT_MS = 3_000
// A connection that lasted this long counts as having worked: its loss restarts the retry delays.
const STABLE_LINK_MS = 15_000
// The DHT says little when it regains the network on its own; the status is re-read this often.
const STATUS_POLL_MS = 5_000

export interface NetworkStatusSummary {
  mode: NetworkMode
  peers: number
}

interface SwarmEntry {
  swarm: Hyperswarm
  lan: boolean
}

/** A topic to join, as announcer (server) or looker (client). */
interface Rendezvous {
  topic: Buffer
  server: boolean
}

/** The topics this node stays on for one remote key: their sessions per swarm and the re-lookup schedule. */
interface Membership {
  publicKey: Buffer
  rendezvous: Rendezvous[]
  sessions: Map<SwarmEntry, PeerDiscoverySession[]>
  retry: Backoff
  /** Connections to this key in a row that died young. */
  shortLived: number
}

interface PendingRequest extends Membership {
  bytes: Buffer
}

function keyOf(publicKey: Uint8Array): string {
  return Buffer.from(publicKey).toString('hex')
}

// A DHT bootstrapped only from loopback nodes binds loopback too: HyperDHT would otherwise bind
// 0.0.0.0 and hand out this host's other addresses, which loopback peers cannot reach.
function bindHost(bootstrap: NetworkOptions['bootstrap']): string | undefined {
  if (bootstrap === undefined || bootstrap.length === 0) return undefined
  const loopback = bootstrap.every(({ host }) => host.startsWith('127.') || host === 'localhost')
  return loopback ? '127.0.0.1' : undefined
}

function checkKey(publicKey: unknown): Buffer {
  if (!(publicKey instanceof Uint8Array) || publicKey.byteLength !== KEY_BYTES) {
    throw new CairnError('invalid-argument', `a public key is ${KEY_BYTES} bytes`)
  }
  return Buffer.from(publicKey)
}

/**
 * The node's presence on the DHT(s): one Hyperswarm per DHT, all with the identity key pair, the same
 * topics and the same firewall, and one connection (Link) per remote key across all of them.
 * Events: 'peer' (Peer), 'request' (publicKey, RequestFrame), 'request-delivered' (publicKey),
 * 'status' ({ mode, peers }), 'protocol-error' (publicKey, reason).
 */
export class Network extends EventEmitter {
  private readonly keyPair: IdentityKeyPair
  private readonly classifier: (remoteKey: Buffer) => PeerClass
  private readonly admission: Admission
  private readonly inboxTimeoutMs: number
  private readonly retryOpts: BackoffOptions
  private readonly log: (message: string) => void
  private readonly swarms: SwarmEntry[] = []
  private readonly contacts = new Map<string, Membership>()
  private readonly requests = new Map<string, PendingRequest>()
  private readonly links = new Map<string, Link>()
  private readonly linkSwarm = new WeakMap<Link, SwarmEntry>()
  private readonly guests = new Set<string>()
  private readonly myInbox: Buffer
  private lastStatus = ''
  private closing: Promise<void> | null = null
  private readonly statusTimer: NodeJS.Timeout

  constructor(opts: NetworkOptions) {
    super()
    this.keyPair = { publicKey: checkKey(opts.keyPair.publicKey), secretKey: Buffer.from(opts.keyPair.secretKey) }
    this.classifier = opts.classify
    this.admission = new Admission({
      requestsPerMinute: opts.limits?.requestsPerMinute ?? DEFAULT_REQUESTS_PER_MINUTE,
      maxUnknownConnections: opts.limits?.maxUnknownConnections ?? DEFAULT_MAX_UNKNOWN
    })
    this.inboxTimeoutMs = opts.limits?.inboxTimeoutMs ?? DEFAULT_INBOX_TIMEOUT_MS
    this.retryOpts = {
      initialMs: opts.retry?.initialMs ?? DEFAULT_RETRY.initialMs,
      maxMs: opts.retry?.maxMs ?? DEFAULT_RETRY.maxMs
    }
    this.log = opts.log ?? ((message) => console.warn(`[cairn/net] ${message}`))
    this.myInbox = inboxTopic(this.keyPair.publicKey)
    this.statusTimer = setInterval(() => this.emitStatus(), STATUS_POLL_MS)
    this.statusTimer.unref()
    const dht = new HyperDHT({ bootstrap: opts.bootstrap, host: bindHost(opts.bootstrap) })
    this.attach(new Hyperswarm({ keyPair: this.keyPair, dht, maxPeers: MAX_PEERS, firewall: this.firewall(false) }), false)
  }

  /** Resolves once the node accepts connections on every swarm, or after a few seconds if the DHT is unreachable. */
  async ready(): Promise<void> {
    const listening = Promise.all(this.swarms.map(({ swarm }) => swarm.listen())).then(
      () => true,
      (err: unknown) => {
        this.log(`listening failed: ${err instanceof Error ? err.message : String(err)}`)
        return false
      }
    )
    let timer: NodeJS.Timeout | null = null
    const waited = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), READY_WAIT_MS)
      timer.unref()
    })
    await Promise.race([listening, waited])
    if (timer !== null) clearTimeout(timer)
    this.emitStatus()
  }

  /** Resolves once every pending announce and lookup has finished (tests use it to avoid sleeping). */
  async flushed(): Promise<void> {
    await Promise.all(this.swarms.map(({ swarm }) => swarm.flush()))
  }

  addContact(publicKey: Buffer): void {
    const remote = checkKey(publicKey)
    const key = keyOf(remote)
    this.assertOpen()
    if (this.contacts.has(key)) return
    const topics = pairTopics(this.keyPair, remote)
    const rendezvous = [
      { topic: topics.mine, server: true },
      { topic: topics.theirs, server: false }
    ]
    const membership = this.join(remote, rendezvous, () => this.retryContact(key))
    this.contacts.set(key, membership)
    for (const entry of this.swarms) this.lookAgainOnceAnnounced(key, membership, entry)
    const link = this.links.get(key)
    if (link !== undefined && link.peer === null) this.reclassify(publicKey)
    if (link?.peer) membership.retry.stop()
  }

  async removeContact(publicKey: Buffer): Promise<void> {
    const key = keyOf(checkKey(publicKey))
    const membership = this.contacts.get(key)
    if (membership === undefined) return
    this.contacts.delete(key)
    const link = this.links.get(key)
    if (link !== undefined && !this.requests.has(key)) link.destroy()
    await this.leave(membership)
  }

  sendRequest(publicKey: Buffer, request: RequestFrame): void {
    const remote = checkKey(publicKey)
    const key = keyOf(remote)
    const bytes = encodeRequestFrame(request)
    this.assertOpen()
    const existing = this.requests.get(key)
    if (existing !== undefined) {
      existing.bytes = bytes
      return
    }
    const membership = this.join(remote, [{ topic: inboxTopic(remote), server: false }], () => this.retryRequest(key))
    this.requests.set(key, { ...membership, bytes })
    this.links.get(key)?.sendRequest(bytes)
  }

  cancelRequest(publicKey: Buffer): void {
    const key = keyOf(checkKey(publicKey))
    const pending = this.requests.get(key)
    if (pending === undefined) return
    this.requests.delete(key)
    this.leave(pending).catch(() => {})
    const link = this.links.get(key)
    if (link === undefined) return
    link.cancelRequest()
    if (link.peer === null && this.classify(link.remoteKey) !== 'contact') link.destroy()
  }

  reclassify(publicKey: Buffer): void {
    const key = keyOf(checkKey(publicKey))
    const link = this.links.get(key)
    if (link === undefined) return
    const cls = this.classify(link.remoteKey)
    if (cls === 'blocked') {
      link.destroy()
    } else if (cls === 'contact') {
      this.releaseGuest(key)
      link.promote()
    } else if (link.peer !== null) {
      link.destroy()
    }
  }

  async addDht(dht: HyperDHT, opts: { lan: boolean }): Promise<void> {
    this.assertOpen()
    const entry = this.attach(new Hyperswarm({ keyPair: this.keyPair, dht, maxPeers: MAX_PEERS, firewall: this.firewall(opts.lan) }), opts.lan)
    for (const membership of [...this.contacts.values(), ...this.requests.values()]) {
      membership.sessions.set(entry, this.joinOn(entry, membership.rendezvous))
    }
    for (const [key, membership] of this.contacts) {
      membership.retry.start()
      this.lookAgainOnceAnnounced(key, membership, entry)
    }
    await entry.swarm.listen()
    this.emitStatus()
  }

  /** Stops the swarm running on this DHT (added by addDht) and drops its connections; destroys the DHT. */
  async removeDht(dht: HyperDHT): Promise<void> {
    const index = this.swarms.findIndex(({ swarm }) => swarm.dht === dht)
    if (index <= 0) return
    const [entry] = this.swarms.splice(index, 1)
    for (const membership of [...this.contacts.values(), ...this.requests.values()]) membership.sessions.delete(entry)
    for (const link of this.links.values()) {
      if (this.linkSwarm.get(link) === entry) link.destroy()
    }
    await entry.swarm.destroy()
    this.emitStatus()
  }

  status(): NetworkStatusSummary {
    let mode: NetworkMode = 'offline'
    for (const { swarm, lan } of this.swarms) {
      if (!swarm.dht.online || swarm.dht.table.size === 0) continue
      if (!lan) mode = 'internet'
      else if (mode === 'offline') mode = 'lan'
    }
    return { mode, peers: this.links.size }
  }

  peer(publicKey: Buffer): Peer | null {
    const link = this.links.get(keyOf(checkKey(publicKey)))
    return link?.peer && !link.peer.closed ? link.peer : null
  }

  close(): Promise<void> {
    if (this.closing === null) this.closing = this.shutdown()
    return this.closing
  }

  private async shutdown(): Promise<void> {
    clearInterval(this.statusTimer)
    for (const membership of [...this.contacts.values(), ...this.requests.values()]) membership.retry.stop()
    for (const link of this.links.values()) link.destroy()
    await Promise.allSettled(this.swarms.map(({ swarm }) => swarm.destroy()))
  }

  private assertOpen(): void {
    if (this.closing !== null) throw new CairnError('invalid-argument', 'the network is closed')
  }

  private attach(swarm: Hyperswarm, lan: boolean): SwarmEntry {
    const entry = { swarm, lan }
    this.swarms.push(entry)
    swarm.on('connection', (stream) => this.onConnection(stream, entry))
    swarm.on('ban', (info) => {
      // The firewall below is the authority and runs at every handshake; Hyperswarm would otherwise
      // remember each refused key for ever (a flood of fresh keys would grow that map without bound,
      // and an unblocked contact would stay refused).
      info.ban(false)
      const key = keyOf(info.publicKey)
      if (!this.links.has(key)) swarm.peers.delete(key)
    })
    swarm.dht.on('network-update', () => this.emitStatus())
    swarm.dht.on('ready', () => this.emitStatus())
    swarm.join(this.myInbox, { server: true, client: false })
    return entry
  }

  private join(publicKey: Buffer, rendezvous: Rendezvous[], onRetry: () => void): Membership {
    const sessions = new Map(this.swarms.map((entry) => [entry, this.joinOn(entry, rendezvous)] as const))
    const retry = new Backoff(onRetry, this.retryOpts)
    retry.start()
    return { publicKey, rendezvous, sessions, retry, shortLived: 0 }
  }

  private joinOn(entry: SwarmEntry, rendezvous: Rendezvous[]): PeerDiscoverySession[] {
    return rendezvous.map(({ topic, server }) => entry.swarm.join(topic, { server, client: !server }))
  }

  private async leave(membership: Membership): Promise<void> {
    membership.retry.stop()
    await Promise.allSettled([...membership.sessions.values()].flat().map((session) => session.destroy()))
  }

  private refresh(membership: Membership, lanOnly = false): void {
    for (const [entry, sessions] of membership.sessions) {
      if (lanOnly && !entry.lan) continue
      for (const session of sessions) session.refresh().catch(() => {})
    }
  }

  // While not connected, announce and look up the pair's topics again: two nodes that joined at the
  // same instant can each miss the other's announce, and Hyperswarm's own next lookup is minutes away.
  // Connected over the internet only, keep looking on the LAN swarms, where a better link would be.
  private retryContact(key: string): void {
    const membership = this.contacts.get(key)
    if (membership === undefined) return
    const link = this.links.get(key)
    if (link?.peer && this.settled(link)) {
      membership.retry.stop()
      return
    }
    this.refresh(membership, link?.peer !== null && link?.peer !== undefined)
  }

  // Two nodes that add each other at the same instant each look up before the other's announcement
  // has landed. An announcement takes a round trip more than a lookup, so once this node's own is in,
  // the other's usually is too: look once more then rather than at the first retry, up to a second on.
  private lookAgainOnceAnnounced(key: string, membership: Membership, entry: SwarmEntry): void {
    const sessions = membership.sessions.get(entry) ?? []
    const announcing = sessions.filter((_, i) => membership.rendezvous[i].server)
    const looking = sessions.filter((_, i) => !membership.rendezvous[i].server)
    Promise.all(announcing.map((session) => session.flushed())).then(() => {
      if (this.closing !== null || this.contacts.get(key) !== membership || !this.swarms.includes(entry)) return
      const link = this.links.get(key)
      if (link?.peer && (link.lan || !entry.lan)) return
      for (const session of looking) session.refresh().catch(() => {})
    }, () => {})
  }

  private settled(link: Link): boolean {
    return link.lan || !this.swarms.some(({ lan }) => lan)
  }

  private retryRequest(key: string): void {
    const pending = this.requests.get(key)
    if (pending === undefined) return
    const link = this.links.get(key)
    if (link !== undefined) link.sendRequest(pending.bytes)
    else this.refresh(pending)
  }

  private classify(remoteKey: Buffer): PeerClass {
    try {
      const cls = this.classifier(remoteKey)
      return cls === 'contact' || cls === 'unknown' ? cls : 'blocked'
    } catch (err) {
      this.log(`classify failed, refusing the peer: ${err instanceof Error ? err.message : String(err)}`)
      return 'blocked'
    }
  }

  // Hyperswarm's firewall: true refuses. remotePayload is null when this node is the one dialling,
  // which it only does towards contacts and the targets of its own requests. A key already connected
  // over the LAN is not taken again over the internet (the LAN connection would win anyway).
  private firewall(lan: boolean): (remoteKey: Buffer, remotePayload: unknown) => boolean {
    return (remoteKey, remotePayload) => this.admit(remoteKey, remotePayload, lan)
  }

  private admit(remoteKey: Buffer, remotePayload: unknown, lan: boolean): boolean {
    if (this.closing !== null) return true
    const key = keyOf(remoteKey)
    const cls = this.classify(remoteKey)
    if (cls === 'blocked') return true
    if (!lan && this.links.get(key)?.lan === true) return true
    if (cls === 'contact' || this.contacts.has(key) || this.requests.has(key)) return false
    if (remotePayload === null) return true
    if (this.links.has(key)) return true
    return !this.admission.admit(key)
  }

  private onConnection(stream: NoiseSecretStream, entry: SwarmEntry): void {
    const lan = entry.lan
    stream.on('error', () => {})
    const remoteKey = Buffer.from(stream.remotePublicKey)
    const key = keyOf(remoteKey)
    if (this.closing !== null || this.classify(remoteKey) === 'blocked') {
      stream.destroy()
      return
    }
    const existing = this.links.get(key)
    if (existing !== undefined) {
      // One connection per remote key across the swarms. The LAN one wins, on both ends alike; within
      // one swarm the newer wins, as Hyperswarm itself decides (the remote is reconnecting).
      if (existing.lan && !lan) {
        stream.destroy()
        return
      }
      this.links.delete(key)
      this.releaseGuest(key)
      existing.destroy()
    }
    const guest =
      this.classify(remoteKey) === 'unknown' && !this.contacts.has(key) && !this.requests.has(key)
    if (guest) {
      this.guests.add(key)
      this.admission.opened(key)
    }
    const link: Link = new Link(stream, lan, {
      classify: () => this.classify(remoteKey),
      onPeer: (peer) => this.onPeer(link, peer),
      onRequest: (request) => this.emit('request', remoteKey, request),
      onAck: () => this.onDelivered(key),
      onProtocolError: (reason) => {
        this.log(`protocol error from ${key.slice(0, 16)}…: ${reason}`)
        this.emit('protocol-error', remoteKey, reason)
      },
      onClose: () => this.onLinkClose(link)
    })
    this.links.set(key, link)
    this.linkSwarm.set(link, entry)
    link.start(this.requests.get(key)?.bytes ?? null, this.inboxTimeoutMs)
    this.emitStatus()
  }

  private onPeer(link: Link, peer: Peer): void {
    if (this.links.get(link.key) !== link) return
    this.releaseGuest(link.key)
    if (this.settled(link)) this.contacts.get(link.key)?.retry.stop()
    if (this.requests.has(link.key)) this.onDelivered(link.key)
    this.emit('peer', peer)
  }

  private onDelivered(key: string): void {
    const pending = this.requests.get(key)
    if (pending === undefined) return
    this.requests.delete(key)
    this.leave(pending).catch(() => {})
    this.emit('request-delivered', pending.publicKey)
  }

  private onLinkClose(link: Link): void {
    if (this.links.get(link.key) !== link) return
    this.links.delete(link.key)
    this.releaseGuest(link.key)
    if (this.closing === null) {
      // A connection that had lasted was lost to the network: look again at once. One that died
      // young (a protocol error, a peer that keeps hanging up) backs off further each time.
      const lasted = Date.now() - link.openedAt >= STABLE_LINK_MS
      const membership = this.contacts.get(link.key)
      if (membership !== undefined) {
        membership.shortLived = lasted ? 0 : membership.shortLived + 1
        membership.retry.restart(this.retryOpts.initialMs * 2 ** membership.shortLived)
        if (lasted) this.refresh(membership)
      }
      this.requests.get(link.key)?.retry.resume()
    }
    this.emitStatus()
  }

  private releaseGuest(key: string): void {
    if (!this.guests.delete(key)) return
    this.admission.closed(key)
  }

  private emitStatus(): void {
    if (this.closing !== null) return
    const status = this.status()
    const text = `${status.mode}/${status.peers}`
    if (text === this.lastStatus) return
    this.lastStatus = text
    this.emit('status', status)
  }
}

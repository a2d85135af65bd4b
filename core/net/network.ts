import { EventEmitter } from 'events'
import Hyperswarm from 'hyperswarm'
import HyperDHT from 'hyperdht'
import type { NoiseSecretStream } from 'hyperdht'
import { ContactKey, type IdentityKeyPair } from '../identity'
import { CairnError } from '../api/errors'
import type { BackoffOptions } from './backoff'
import { Firewall } from './firewall'
import { encodeRequestFrame, type RequestFrame } from './frames'
import { Link } from './link'
import { Links } from './links'
import { Membership, type Rendezvous, type SwarmEntry } from './membership'
import type { Peer } from './peer'
import { inboxTopic, pairTopics } from '../protocol/topics'
import { summarizeStatus, type NetworkStatusSummary, type NodeCounter } from './status'
import type { NetworkOptions } from './types'

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

interface PendingRequest {
  membership: Membership
  bytes: Buffer
}

// A DHT bootstrapped only from loopback nodes binds loopback too: HyperDHT would otherwise bind
// 0.0.0.0 and hand out this host's other addresses, which loopback peers cannot reach.
function bindHost(bootstrap: NetworkOptions['bootstrap']): string | undefined {
  if (bootstrap === undefined || bootstrap.length === 0) return undefined
  const loopback = bootstrap.every(({ host }) => host.startsWith('127.') || host === 'localhost')
  return loopback ? '127.0.0.1' : undefined
}

/**
 * The node's presence on the DHT(s): one Hyperswarm per DHT, all with the identity key pair, the same
 * topics and the same firewall, and one connection (Link) per remote key across all of them.
 * Events: 'peer' (Peer), 'request' (publicKey, RequestFrame), 'request-delivered' (publicKey),
 * 'status' ({ mode, peers }), 'protocol-error' (publicKey, reason).
 */
export class Network extends EventEmitter {
  private readonly keyPair: IdentityKeyPair
  private readonly firewall: Firewall
  private readonly inboxTimeoutMs: number
  private readonly retryOpts: BackoffOptions
  private readonly log: (message: string) => void
  private readonly swarms: SwarmEntry[] = []
  private readonly contacts = new Map<string, Membership>()
  private readonly requests = new Map<string, PendingRequest>()
  private readonly links = new Links()
  private readonly myInbox: Buffer
  private lastStatus = ''
  private closing: Promise<void> | null = null
  private readonly statusTimer: NodeJS.Timeout
  private readonly onNodes = () => this.emitStatus()

  constructor(opts: NetworkOptions) {
    super()
    this.keyPair = { publicKey: ContactKey.fromBytes(opts.keyPair.publicKey).bytes, secretKey: Buffer.from(opts.keyPair.secretKey) }
    this.log = opts.log ?? ((message) => console.warn(`[cairn/net] ${message}`))
    this.firewall = new Firewall(opts.classify, opts.limits, {
      links: this.links,
      closed: () => this.closing !== null,
      isMember: (hex) => this.contacts.has(hex) || this.requests.has(hex)
    }, this.log)
    this.inboxTimeoutMs = opts.limits?.inboxTimeoutMs ?? DEFAULT_INBOX_TIMEOUT_MS
    this.retryOpts = {
      initialMs: opts.retry?.initialMs ?? DEFAULT_RETRY.initialMs,
      maxMs: opts.retry?.maxMs ?? DEFAULT_RETRY.maxMs
    }
    this.myInbox = inboxTopic(this.keyPair.publicKey)
    this.statusTimer = setInterval(() => this.emitStatus(), STATUS_POLL_MS)
    this.statusTimer.unref()
    const dht = new HyperDHT({ bootstrap: opts.bootstrap, host: bindHost(opts.bootstrap) })
    this.attach(dht, false, null)
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

  addContact(publicKey: Buffer | ContactKey): void {
    const remote = toKey(publicKey)
    this.assertOpen()
    if (this.contacts.has(remote.hex)) return
    const topics = pairTopics(this.keyPair, remote.bytes)
    const rendezvous: Rendezvous[] = [
      { topic: topics.mine, server: true },
      { topic: topics.theirs, server: false }
    ]
    const membership = new Membership(remote, rendezvous, this.swarms, () => this.retryContact(remote.hex), this.retryOpts)
    this.contacts.set(remote.hex, membership)
    for (const entry of this.swarms) this.lookAgainOnceAnnounced(membership, entry)
    const link = this.links.get(remote.hex)
    if (link !== undefined && link.peer === null) this.reclassify(remote)
    if (link?.peer) membership.retry.stop()
  }

  async removeContact(publicKey: Buffer | ContactKey): Promise<void> {
    const { hex } = toKey(publicKey)
    const membership = this.contacts.get(hex)
    if (membership === undefined) return
    this.contacts.delete(hex)
    const link = this.links.get(hex)
    if (link !== undefined && !this.requests.has(hex)) link.destroy()
    await membership.leave()
  }

  sendRequest(publicKey: Buffer | ContactKey, request: RequestFrame): void {
    const remote = toKey(publicKey)
    const bytes = encodeRequestFrame(request)
    this.assertOpen()
    const existing = this.requests.get(remote.hex)
    if (existing !== undefined) {
      existing.bytes = bytes
      return
    }
    const rendezvous = [{ topic: inboxTopic(remote.bytes), server: false }]
    const membership = new Membership(remote, rendezvous, this.swarms, () => this.retryRequest(remote.hex), this.retryOpts)
    this.requests.set(remote.hex, { membership, bytes })
    this.links.get(remote.hex)?.sendRequest(bytes)
  }

  cancelRequest(publicKey: Buffer | ContactKey): void {
    const { hex } = toKey(publicKey)
    const pending = this.requests.get(hex)
    if (pending === undefined) return
    this.requests.delete(hex)
    pending.membership.leave().catch(() => {})
    const link = this.links.get(hex)
    if (link === undefined) return
    link.cancelRequest()
    if (link.peer === null && this.firewall.classify(link.remoteKey) !== 'contact') link.destroy()
  }

  reclassify(publicKey: Buffer | ContactKey): void {
    const { hex } = toKey(publicKey)
    const link = this.links.get(hex)
    if (link === undefined) return
    const cls = this.firewall.classify(link.remoteKey)
    if (cls === 'blocked') {
      link.destroy()
    } else if (cls === 'contact') {
      this.firewall.release(hex)
      link.promote()
    } else if (link.peer !== null) {
      link.destroy()
    }
  }

  /** Runs a swarm on another DHT; a LAN one with a node counter lets the status tell a lone node. */
  async addDht(dht: HyperDHT, opts: { lan: boolean; counter?: NodeCounter }): Promise<void> {
    this.assertOpen()
    const entry = this.attach(dht, opts.lan, opts.counter ?? null)
    for (const membership of this.memberships()) membership.joinOn(entry)
    for (const membership of this.contacts.values()) {
      membership.retry.start()
      this.lookAgainOnceAnnounced(membership, entry)
    }
    await entry.swarm.listen()
    this.emitStatus()
  }

  /** Stops the swarm running on this DHT (added by addDht) and drops its connections; destroys the DHT. */
  async removeDht(dht: HyperDHT): Promise<void> {
    const index = this.swarms.findIndex(({ swarm }) => swarm.dht === dht)
    if (index <= 0) return
    const [entry] = this.swarms.splice(index, 1)
    entry.counter?.off('peers', this.onNodes)
    for (const membership of this.memberships()) membership.dropSwarm(entry)
    for (const link of this.links.over(entry)) link.destroy()
    await entry.swarm.destroy()
    this.emitStatus()
  }

  status(): NetworkStatusSummary {
    const swarms = this.swarms.map(({ swarm, lan, counter }) => ({
      online: swarm.dht.online && swarm.dht.table.size > 0,
      lan,
      nodes: counter ? counter.nodes : null
    }))
    return summarizeStatus(swarms, this.links.size)
  }

  peer(publicKey: Buffer | ContactKey): Peer | null {
    const link = this.links.get(toKey(publicKey).hex)
    return link?.peer && !link.peer.closed ? link.peer : null
  }

  close(): Promise<void> {
    if (this.closing === null) this.closing = this.shutdown()
    return this.closing
  }

  private async shutdown(): Promise<void> {
    clearInterval(this.statusTimer)
    for (const entry of this.swarms) entry.counter?.off('peers', this.onNodes)
    for (const membership of this.memberships()) membership.retry.stop()
    for (const link of this.links.values()) link.destroy()
    await Promise.allSettled(this.swarms.map(({ swarm }) => swarm.destroy()))
  }

  private memberships(): Membership[] {
    return [...this.contacts.values(), ...[...this.requests.values()].map(({ membership }) => membership)]
  }

  private assertOpen(): void {
    if (this.closing !== null) throw new CairnError('invalid-argument', 'the network is closed')
  }

  private attach(dht: HyperDHT, lan: boolean, counter: NodeCounter | null): SwarmEntry {
    const swarm = new Hyperswarm({ keyPair: this.keyPair, dht, maxPeers: MAX_PEERS, firewall: this.firewall.forSwarm(lan) })
    const entry = { swarm, lan, counter }
    this.swarms.push(entry)
    swarm.on('connection', (stream) => this.onConnection(stream, entry))
    swarm.on('ban', (info) => {
      // The firewall is the authority and runs at every handshake; Hyperswarm would otherwise
      // remember each refused key for ever (a flood of fresh keys would grow that map without bound,
      // and an unblocked contact would stay refused).
      info.ban(false)
      const key = ContactKey.fromBytes(info.publicKey).hex
      if (!this.links.has(key)) swarm.peers.delete(key)
    })
    swarm.dht.on('network-update', () => this.emitStatus())
    swarm.dht.on('ready', () => this.emitStatus())
    counter?.on('peers', this.onNodes)
    swarm.join(this.myInbox, { server: true, client: false })
    return entry
  }

  // While not connected, announce and look up the pair's topics again: two nodes that joined at the
  // same instant can each miss the other's announce, and Hyperswarm's own next lookup is minutes away.
  // Connected over the internet only, keep looking on the LAN swarms, where a better link would be.
  private retryContact(hex: string): void {
    const membership = this.contacts.get(hex)
    if (membership === undefined) return
    const link = this.links.get(hex)
    if (link?.peer && this.settled(link)) {
      membership.retry.stop()
      return
    }
    membership.refresh(link?.peer !== null && link?.peer !== undefined)
  }

  private lookAgainOnceAnnounced(membership: Membership, entry: SwarmEntry): void {
    const hex = membership.key.hex
    membership.lookAgainOnceAnnounced(entry, () => {
      if (this.closing !== null || this.contacts.get(hex) !== membership || !this.swarms.includes(entry)) return false
      const link = this.links.get(hex)
      return !(link?.peer && (link.lan || !entry.lan))
    })
  }

  private settled(link: Link): boolean {
    return link.lan || !this.swarms.some(({ lan }) => lan)
  }

  private retryRequest(hex: string): void {
    const pending = this.requests.get(hex)
    if (pending === undefined) return
    const link = this.links.get(hex)
    if (link !== undefined) link.sendRequest(pending.bytes)
    else pending.membership.refresh()
  }

  private onConnection(stream: NoiseSecretStream, entry: SwarmEntry): void {
    stream.on('error', () => {})
    const remote = ContactKey.fromBytes(stream.remotePublicKey)
    if (this.closing !== null || this.firewall.classify(remote.bytes) === 'blocked') {
      stream.destroy()
      return
    }
    const { take, replaced } = this.links.admit(remote.hex, entry.lan)
    if (!take) {
      stream.destroy()
      return
    }
    if (replaced !== null) {
      this.firewall.release(remote.hex)
      replaced.destroy()
    }
    this.firewall.opened(remote.bytes, remote.hex)
    const link: Link = new Link(stream, remote, entry.lan, {
      classify: () => this.firewall.classify(remote.bytes),
      onPeer: (peer) => this.onPeer(link, peer),
      onRequest: (request) => this.emit('request', remote.bytes, request),
      onAck: () => this.onDelivered(remote.hex),
      onProtocolError: (reason) => {
        this.log(`protocol error from ${remote.hex.slice(0, 16)}…: ${reason}`)
        this.emit('protocol-error', remote.bytes, reason)
      },
      onClose: () => this.onLinkClose(link)
    })
    this.links.add(link, entry)
    link.start(this.requests.get(remote.hex)?.bytes ?? null, this.inboxTimeoutMs)
    this.emitStatus()
  }

  private onPeer(link: Link, peer: Peer): void {
    if (!this.links.isCurrent(link)) return
    const { hex } = link.key
    this.firewall.release(hex)
    if (this.settled(link)) this.contacts.get(hex)?.retry.stop()
    if (this.requests.has(hex)) this.onDelivered(hex)
    this.emit('peer', peer)
  }

  private onDelivered(hex: string): void {
    const pending = this.requests.get(hex)
    if (pending === undefined) return
    this.requests.delete(hex)
    pending.membership.leave().catch(() => {})
    this.emit('request-delivered', pending.membership.key.bytes)
  }

  private onLinkClose(link: Link): void {
    if (!this.links.remove(link)) return
    const { hex } = link.key
    this.firewall.release(hex)
    if (this.closing === null) {
      // A connection that had lasted was lost to the network: look again at once. One that died
      // young (a protocol error, a peer that keeps hanging up) backs off further each time.
      const lasted = Date.now() - link.openedAt >= STABLE_LINK_MS
      const membership = this.contacts.get(hex)
      if (membership !== undefined) {
        membership.shortLived = lasted ? 0 : membership.shortLived + 1
        membership.retry.restart(this.retryOpts.initialMs * 2 ** membership.shortLived)
        if (lasted) membership.refresh()
      }
      this.requests.get(hex)?.membership.retry.resume()
    }
    this.emitStatus()
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

function toKey(publicKey: Buffer | ContactKey): ContactKey {
  return publicKey instanceof ContactKey ? publicKey : ContactKey.fromBytes(publicKey)
}

import { EventEmitter } from 'events'
import Hyperswarm from 'hyperswarm'
import HyperDHT from 'hyperdht'
import type { NoiseSecretStream } from 'hyperdht'
import { ContactKey, type IdentityKeyPair } from '../identity'
import { CairnError } from '../api/errors'
import type { BackoffOptions } from './backoff'
import { sourceOf } from './admission'
import { Firewall } from './firewall'
import { describeDrops, FrameBudgets } from './frame-budget'
import { encodeRequestFrame, type RequestFrame } from './frames'
import { Link } from './link'
import { Links } from './links'
import { InviteInboxes } from './invites'
import type { Membership, SwarmEntry } from './membership'
import { OutgoingRequests } from './outgoing'
import { Pacer } from './pacer'
import { ContactSwarms } from './contact-swarms'
import { signHello } from './hello'
import type { Peer } from './peer'
import { Inbox } from './inbox'
import { summarizeStatus, type NetworkStatusSummary, type NodeCounter } from './status'
import type { NetworkOptions } from './types'

const DEFAULT_INBOX_TIMEOUT_MS = 10_000
// An offline contact is looked up again at most every 10 min at the end of its backoff, as often as
// Hyperswarm's own refresh: 1,000 contacts at 2 min made ~8 lookups a second. A contact coming online
// announces and looks up itself, so it is found by its own lookup, not by this node's next retry.
export const DEFAULT_RETRY: BackoffOptions = { initialMs: 1_000, maxMs: 600_000 }
// Hyperswarm stops dialling beyond maxPeers open connections (default 64); a node may have more
// contacts online than that, and strangers are capped separately by the admission limits.
const MAX_PEERS = 512
// Memberships joining or looking up at once on one DHT (pacer.ts): enough to keep its requests flowing,
// few enough that the ones asked for first are not queued behind the rest. Re-lookups: 20 at once,
// then 2 a second (6 topic lookups), which only a node with hundreds of contacts offline reaches.
const PACING = { limit: 8, burst: 20, perSecond: 2 }
// The status is re-read this often (the DHT says little when it regains the network), and the day checked.
const STATUS_POLL_MS = 5_000

// Loopback bootstrap, loopback bind: on 0.0.0.0 HyperDHT hands out addresses loopback peers cannot reach.
function bindHost(bootstrap: NetworkOptions['bootstrap']): string | undefined {
  if (bootstrap === undefined || bootstrap.length === 0) return undefined
  const loopback = bootstrap.every(({ host }) => host.startsWith('127.') || host === 'localhost')
  return loopback ? '127.0.0.1' : undefined
}

/**
 * The node's presence on the DHT(s): per DHT, one Hyperswarm under the identity key pair for the inbox
 * and this node's requests, and one per contact under that pair's key pair of the day (contact-swarms.ts);
 * one firewall, and one connection (Link) per remote identity across all of them.
 * Events: 'peer' (Peer), 'request' (publicKey, RequestFrame), 'request-delivered' (publicKey),
 * 'status' ({ mode, peers }), 'protocol-error' (publicKey, reason), 'refused' (publicKey, Refusal):
 * a handshake the firewall turned away, the one trace of a peer that never got in; 'flood'
 * (publicKey, detail): a contact sent control frames far over their rates (frame-budget.ts); 'dht'
 * (HyperDHT, added: boolean) when a LAN DHT comes or goes.
 */
export class Network extends EventEmitter {
  private readonly keyPair: IdentityKeyPair
  private readonly firewall: Firewall
  private readonly inboxTimeoutMs: number
  private readonly retryOpts: BackoffOptions
  private readonly log: (message: string) => void
  private readonly swarms: SwarmEntry[] = []
  private readonly contacts: ContactSwarms
  private readonly requests: OutgoingRequests
  private readonly invites: InviteInboxes
  private readonly links = new Links()
  private readonly budgets = new FrameBudgets((hex, dropped) => this.emit('flood', Buffer.from(hex, 'hex'), describeDrops(dropped)))
  private readonly inbox: Inbox
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
      isMember: (hex) => this.contacts.has(hex) || this.requests.has(hex) || this.requests.inviter(hex) !== undefined,
      refused: (remoteKey, why) => this.emit('refused', remoteKey, why)
    }, this.log)
    this.inboxTimeoutMs = opts.limits?.inboxTimeoutMs ?? DEFAULT_INBOX_TIMEOUT_MS
    this.retryOpts = {
      initialMs: opts.retry?.initialMs ?? DEFAULT_RETRY.initialMs,
      maxMs: opts.retry?.maxMs ?? DEFAULT_RETRY.maxMs
    }
    this.inbox = new Inbox(this.keyPair, opts.hidden ?? false)
    this.requests = new OutgoingRequests({
      swarms: this.swarms,
      links: this.links,
      retryOpts: this.retryOpts,
      classify: (key) => this.firewall.classify(key),
      delivered: (remote) => this.emit('request-delivered', remote.bytes)
    })
    this.invites = new InviteInboxes({
      swarms: () => this.swarms,
      refuses: (entry, key, address) => this.firewall.judge(key, sourceOf(address.host), entry.lan),
      onConnection: (stream, entry, used) => this.onConnection(stream, entry, undefined, used)
    })
    this.contacts = new ContactSwarms({
      identity: this.keyPair,
      swarms: this.swarms,
      links: this.links,
      retryOpts: this.retryOpts,
      now: opts.clock ?? Date.now,
      closed: () => this.closing !== null,
      admits: (remote, lan) => this.firewall.admitsContact(remote, lan),
      onConnection: (stream, entry, remote) => this.onConnection(stream, entry, remote)
    })
    this.statusTimer = setInterval(() => {
      this.contacts.checkDay()
      this.emitStatus()
    }, STATUS_POLL_MS)
    this.statusTimer.unref()
    const dht = new HyperDHT({ bootstrap: opts.bootstrap, host: bindHost(opts.bootstrap) })
    this.attach(dht, false, null)
  }

  /** Resolves once the node accepts connections on every swarm, or after a few seconds if the DHT is unreachable. */
  async ready(): Promise<void> {
    await this.inbox.listenAll(this.swarms, this.log)
    this.emitStatus()
  }

  /** Resolves once every pending announce and lookup has finished (tests use it to avoid sleeping). */
  async flushed(): Promise<void> {
    await Promise.all(this.swarms.map(({ swarm }) => swarm.flush()))
  }

  addContact(publicKey: Buffer | ContactKey): void {
    const remote = toKey(publicKey)
    this.assertOpen()
    if (!this.contacts.add(remote)) return
    const link = this.links.get(remote.hex)
    if (link !== undefined && link.peer === null) this.reclassify(remote)
    if (link?.peer) this.contacts.connected(link)
  }

  async removeContact(publicKey: Buffer | ContactKey): Promise<void> {
    const { hex } = toKey(publicKey)
    const membership = this.contacts.take(hex)
    if (membership === undefined) return
    this.budgets.forget(hex)
    const link = this.links.get(hex)
    if (link !== undefined && !this.requests.has(hex)) link.destroy()
    await membership.leave()
  }

  /** invite: the secret of the target's invite, whose key is dialled instead of their inbox topic. */
  sendRequest(publicKey: Buffer | ContactKey, request: RequestFrame, invite: Buffer | null = null): void {
    const remote = toKey(publicKey)
    const bytes = encodeRequestFrame(request)
    this.assertOpen()
    this.requests.send(remote, bytes, invite)
  }

  /** Stops delivering a request; resolves once the node has left the target's inbox topic (never rejects). */
  cancelRequest(publicKey: Buffer | ContactKey): Promise<void> {
    return this.requests.cancel(toKey(publicKey).hex)
  }

  /**
   * The longest wait of the step a contact's re-lookup schedule has reached (it doubles with each
   * lookup that finds nobody and each connection that dies young); null for a key that is no contact.
   */
  retryDelayMs(publicKey: Buffer | ContactKey): number | null {
    return this.contacts.retryDelayMs(toKey(publicKey).hex)
  }

  /** Opens a one-time inbox for this invite's secret for ttlMs (see InviteInboxes); resolves once it listens. */
  openInvite(secret: Buffer, ttlMs: number): Promise<void> {
    this.assertOpen()
    return this.invites.add(secret, ttlMs)
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
    this.contacts.lookOn(entry)
    await this.inbox.listen(entry)
    this.emitStatus()
    this.emit('dht', dht, true)
  }

  /** Stops the swarm running on this DHT (added by addDht) and drops its connections; destroys the DHT. */
  async removeDht(dht: HyperDHT): Promise<void> {
    const index = this.swarms.findIndex(({ swarm }) => swarm.dht === dht)
    if (index <= 0) return
    const [entry] = this.swarms.splice(index, 1)
    entry.counter?.off('peers', this.onNodes)
    for (const membership of this.memberships()) membership.dropSwarm(entry)
    for (const link of this.links.over(entry)) link.destroy()
    this.emit('dht', dht, false)
    entry.pacer.close()
    await entry.swarm.destroy()
    this.emitStatus()
  }

  /** Every DHT this node runs a swarm on (the first is the internet's): group swarms run on them too. */
  dhts(): HyperDHT[] {
    return this.swarms.map(({ swarm }) => swarm.dht)
  }

  /** Hidden: see Inbox. */
  async setHidden(hidden: boolean): Promise<void> {
    this.assertOpen()
    await this.inbox.setHidden(hidden, this.swarms)
  }

  get hidden(): boolean {
    return this.inbox.hidden
  }

  status(): NetworkStatusSummary {
    const swarms = this.swarms.map(({ swarm, lan, counter }) => ({
      online: swarm.dht.online && swarm.dht.table.size > 0,
      lan,
      nodes: counter ? counter.nodes : null
    }))
    return summarizeStatus(swarms, this.links.size)
  }

  /** Control frames of this contact dropped over their rates since it was added. */
  droppedFrames(publicKey: Buffer | ContactKey): number {
    return this.budgets.droppedTotal(toKey(publicKey).hex)
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
    for (const { pacer } of this.swarms) pacer.close()
    for (const link of this.links.values()) link.destroy()
    await this.contacts.leaveAll()
    await this.invites.closeAll()
    await Promise.allSettled(this.swarms.map(({ swarm }) => swarm.destroy()))
  }

  private memberships(): Membership[] {
    return [...this.contacts.memberships(), ...this.requests.memberships()]
  }

  private assertOpen(): void {
    if (this.closing !== null) throw new CairnError('invalid-argument', 'the network is closed')
  }

  private attach(dht: HyperDHT, lan: boolean, counter: NodeCounter | null): SwarmEntry {
    const swarm = new Hyperswarm({ keyPair: this.keyPair, dht, maxPeers: MAX_PEERS, firewall: this.firewall.forDialling(lan) })
    // Hyperswarm's own server firewall passes on the key but not the address a handshake came from,
    // which the admission of strangers shares its budget by; the DHT server asks this one instead.
    // Like Hyperswarm's, it refuses this node's own key; Hyperswarm's adds only a ban of refused keys,
    // which this node undoes anyway (below).
    const strangers = this.firewall.forServer(lan)
    swarm.server.firewall = (key, payload, address) => key.equals(this.keyPair.publicKey) || strangers(key, payload, address)
    // Every contact's pair swarm listens on this DHT too.
    dht.setMaxListeners(0)
    const entry = { swarm, lan, counter, pacer: new Pacer(PACING) }
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
    this.inbox.join(entry)
    return entry
  }

  /**
   * contact: the identity behind a pair swarm's connection (its Noise key is the contact's pair key).
   * invited: the connection came in through an invite, which its request uses up.
   */
  private onConnection(stream: NoiseSecretStream, entry: SwarmEntry, contact?: ContactKey, invited?: () => void): void {
    stream.on('error', () => {})
    const noise = ContactKey.fromBytes(stream.remotePublicKey)
    const remote = contact ?? this.requests.inviter(noise.hex) ?? noise
    if (this.closing !== null || this.firewall.classify(remote.bytes) === 'blocked') {
      stream.destroy()
      return
    }
    const { take, replaced } = this.links.admit(remote.hex, entry.lan, contact !== undefined)
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
      admitFrame: (kind) => this.budgets.take(remote.hex, kind),
      hello: () => signHello(this.keyPair.secretKey, stream),
      onPeer: (peer) => this.onPeer(link, peer),
      onRequest: (request) => {
        invited?.()
        this.emit('request', remote.bytes, request)
      },
      onAck: () => this.requests.delivered(remote.hex),
      onProtocolError: (reason) => {
        this.log(`protocol error from ${remote.hex.slice(0, 16)}…: ${reason}`)
        this.emit('protocol-error', remote.bytes, reason)
      },
      onClose: () => this.onLinkClose(link)
    })
    this.links.add(link, entry)
    link.start(this.requests.bytes(remote.hex), this.inboxTimeoutMs)
    this.emitStatus()
  }

  private onPeer(link: Link, peer: Peer): void {
    if (!this.links.isCurrent(link)) return
    const { hex } = link.key
    this.firewall.release(hex)
    this.contacts.connected(link)
    this.requests.delivered(hex)
    this.emit('peer', peer)
  }

  private onLinkClose(link: Link): void {
    if (!this.links.remove(link)) return
    const { hex } = link.key
    this.firewall.release(hex)
    if (this.closing === null) {
      this.contacts.linkClosed(link)
      this.requests.linkClosed(hex)
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

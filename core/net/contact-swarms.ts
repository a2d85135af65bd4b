import type { NoiseSecretStream } from 'hyperdht'
import type { ContactKey, IdentityKeyPair } from '../identity'
import { dayOf, topicSecret } from '../protocol/topics'
import type { BackoffOptions } from './backoff'
import type { Link } from './link'
import type { Links } from './links'
import { Membership, type Place, type SwarmEntry } from './membership'
import { pairPlace } from './pair-swarm'

// A connection that lasted this long counts as having worked: its loss restarts the retry delays.
const STABLE_LINK_MS = 15_000
// The quick first retries look up only the contact's topic of the day (Membership.refresh); once the
// delays have grown this many times the first (16 s by default) or to their cap, the days around it too.
const SPARE_LOOKS_AFTER = 16

export interface ContactSwarmsDeps {
  identity: IdentityKeyPair
  /** The node's own swarms (the live list). */
  swarms: SwarmEntry[]
  links: Links
  retryOpts: BackoffOptions
  /** The time the pair keys' day goes by. */
  now(): number
  closed(): boolean
  /** The firewall lets this contact in on this kind of swarm. */
  admits(remote: ContactKey, lan: boolean): boolean
  onConnection(stream: NoiseSecretStream, entry: SwarmEntry, remote: ContactKey): void
}

/**
 * Each contact's pair swarm: joined on every DHT under the pair's key pair of the day (pair-swarm.ts),
 * rejoined when the day turns, and looked up again with backoff while the contact is not connected.
 */
export class ContactSwarms {
  private readonly contacts = new Map<string, Membership>()
  private day: number

  constructor(private readonly deps: ContactSwarmsDeps) {
    this.day = dayOf(deps.now())
  }

  has(hex: string): boolean {
    return this.contacts.has(hex)
  }

  memberships(): Membership[] {
    return [...this.contacts.values()]
  }

  /** Joins the contact's pair swarm on every DHT; false if it already is a contact. */
  add(remote: ContactKey): boolean {
    if (this.contacts.has(remote.hex)) return false
    // Throws here, not later in a swarm, on a key no pair secret can be made with.
    topicSecret(this.deps.identity, remote.bytes).fill(0)
    const membership = new Membership(remote, this.deps.swarms, (entry) => this.place(remote, entry), () => this.retry(remote.hex), this.deps.retryOpts)
    this.contacts.set(remote.hex, membership)
    for (const entry of this.deps.swarms) this.lookAgainOnceAnnounced(membership, entry)
    return true
  }

  /** No longer a contact: its membership, for the caller to leave, or undefined if it was none. */
  take(hex: string): Membership | undefined {
    const membership = this.contacts.get(hex)
    this.contacts.delete(hex)
    return membership
  }

  /** The longest wait of the step the contact's re-lookup schedule has reached; null for no contact. */
  retryDelayMs(hex: string): number | null {
    return this.contacts.get(hex)?.retry.currentMs ?? null
  }

  /** A new swarm: every contact is looked up on it too. */
  lookOn(entry: SwarmEntry): void {
    for (const membership of this.contacts.values()) {
      membership.retry.start()
      this.lookAgainOnceAnnounced(membership, entry)
    }
  }

  /** The pair keys change with the day: every contact's swarm is joined again under the new ones. */
  checkDay(): void {
    const day = dayOf(this.deps.now())
    if (day === this.day || this.deps.closed()) return
    this.day = day
    for (const membership of this.contacts.values()) membership.rejoin()
  }

  /**
   * The contact is connected: no more lookups, unless a better (LAN) link may still be found. Met over
   * a request's inbox connection, the contact is online and on its pair topics now (or soon): look
   * for the pair's own connection at once, from the shortest retry delay. Left to the backoff, the
   * inbox connection gave way to it at whatever later retry found it, up to minutes into the chat
   * (the "third-peer drop" of test/lan/move-to-lan.test.ts: a swap that fell during another pair's move).
   */
  connected(link: Link): void {
    const membership = this.contacts.get(link.key.hex)
    if (membership === undefined) return
    if (!link.overPair) {
      membership.retry.restart()
      membership.refresh()
      return
    }
    if (!this.settled(link)) return
    membership.retry.stop()
    membership.stopLooking()
  }

  /**
   * A connection that had lasted was lost to the network: look again at once. One that died young
   * (a protocol error, a peer that keeps hanging up) backs off further each time.
   */
  linkClosed(link: Link): void {
    const membership = this.contacts.get(link.key.hex)
    if (membership === undefined) return
    const lasted = Date.now() - link.openedAt >= STABLE_LINK_MS
    membership.shortLived = lasted ? 0 : membership.shortLived + 1
    membership.retry.restart(this.deps.retryOpts.initialMs * 2 ** membership.shortLived)
    membership.startLooking()
    if (lasted) membership.refresh()
  }

  leaveAll(): Promise<unknown> {
    return Promise.allSettled([...this.contacts.values()].map((membership) => membership.leave()))
  }

  private place(remote: ContactKey, entry: SwarmEntry): Place {
    return pairPlace({
      identity: this.deps.identity,
      remote: remote.bytes,
      day: this.day,
      dht: entry.swarm.dht,
      admits: () => this.deps.admits(remote, entry.lan),
      onConnection: (stream) => this.deps.onConnection(stream, entry, remote)
    })
  }

  // While not connected, announce and look up the pair's topics again: two nodes that joined at the
  // same instant can each miss the other's announce, and Hyperswarm's own next lookup is minutes away.
  // Connected over the internet only, keep looking on the LAN swarms, where a better link would be;
  // connected over the inbox (a request just accepted), keep looking everywhere for the pair's own.
  private retry(hex: string): void {
    const membership = this.contacts.get(hex)
    if (membership === undefined) return
    const link = this.deps.links.get(hex)
    if (link?.peer && this.settled(link)) {
      this.connected(link)
      return
    }
    const { initialMs, maxMs } = this.deps.retryOpts
    membership.refresh({
      lanOnly: link?.peer !== null && link?.peer !== undefined && link.overPair,
      spare: membership.retry.currentMs >= Math.min(maxMs, initialMs * SPARE_LOOKS_AFTER)
    })
  }

  private lookAgainOnceAnnounced(membership: Membership, entry: SwarmEntry): void {
    const hex = membership.key.hex
    membership.lookAgainOnceAnnounced(entry, () => {
      if (this.deps.closed() || this.contacts.get(hex) !== membership || !this.deps.swarms.includes(entry)) return false
      const link = this.deps.links.get(hex)
      return !(link?.peer && (link.lan || !entry.lan))
    })
  }

  // A link over the inbox connection is not: its Noise key is the identity, which the pair swarms
  // exist to keep out of the DHT, so the pair's own connection is still looked for.
  private settled(link: Link): boolean {
    return link.overPair && (link.lan || !this.deps.swarms.some(({ lan }) => lan))
  }
}

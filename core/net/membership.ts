import type Hyperswarm from 'hyperswarm'
import type { PeerDiscoverySession } from 'hyperswarm'
import type { ContactKey } from '../identity'
import { Backoff, type BackoffOptions } from './backoff'
import type { Pacer } from './pacer'
import type { NodeCounter } from './status'

/**
 * One Hyperswarm of the node: on the internet DHT, or on the LAN DHT with its node counter; the pacer
 * lets the memberships' joins and lookups onto that DHT a few at a time.
 */
export interface SwarmEntry {
  swarm: Hyperswarm
  lan: boolean
  counter: NodeCounter | null
  pacer: Pacer
}

/** A topic to join, as announcer (server) or looker (client). */
export interface Rendezvous {
  topic: Buffer
  server: boolean
  /** Looked up at the join, the look-again and full refreshes, not at each quick retry (refresh). */
  spare?: boolean
}

/**
 * Where a membership's topics are joined on one of the node's DHTs: the node's own swarm (a request's
 * inbox lookup), or a swarm of the membership's own (a contact's pair swarm), which retire() and
 * close() end.
 */
export interface Place {
  swarm: Hyperswarm
  rendezvous: Rendezvous[]
  retire(): void
  close(): Promise<void>
}

interface Joined {
  place: Place
  announcing: PeerDiscoverySession[]
  looking: PeerDiscoverySession[]
  /** The lookups of topics that are not spare. */
  main: PeerDiscoverySession[]
}

/** What a membership's next paced step on one DHT is to do. */
interface Due {
  /** Join (afresh, if joined): with lookups (true) or announcing only (false); null: no join. */
  join: boolean | null
  /** Look up again (a retry): the spare topics too ('all'), or not ('main'). */
  look: 'all' | 'main' | false
  /** Look up once more when the announcements are in, if this still says so. */
  again: (() => boolean) | null
}

/**
 * The topics this node stays on for one remote key: where they are joined per DHT, and the re-lookup
 * schedule. Joins and lookups go through each DHT's pacer, in the order asked.
 */
export class Membership {
  private readonly joined = new Map<SwarmEntry, Joined>()
  private readonly due = new Map<SwarmEntry, Due>()
  /** Places replaced by a new join, announced until its announcements are in. */
  private readonly retiring = new Map<Place, SwarmEntry>()
  readonly retry: Backoff
  /** Connections to this key in a row that died young. */
  shortLived = 0

  constructor(
    readonly key: ContactKey,
    swarms: SwarmEntry[],
    private readonly placeOn: (entry: SwarmEntry) => Place,
    onRetry: () => void,
    retryOpts: BackoffOptions
  ) {
    for (const entry of swarms) this.joinOn(entry)
    this.retry = new Backoff(onRetry, retryOpts)
    this.retry.start()
  }

  /** Joins on a DHT; look: also look up the remote there (a new DHT may hold a better link). */
  joinOn(entry: SwarmEntry, look = true): void {
    this.ask(entry, { join: look })
  }

  /** Joins afresh on every DHT (the day's topics changed); what was joined before is retired then. */
  rejoin(): void {
    for (const [entry, old] of this.joined) this.joinOn(entry, old.looking.length > 0)
  }

  dropSwarm(entry: SwarmEntry): void {
    entry.pacer.cancel(this)
    this.due.delete(entry)
    const joined = this.joined.get(entry)
    this.joined.delete(entry)
    joined?.place.close().catch(() => {})
    for (const [place, on] of this.retiring) {
      if (on !== entry) continue
      this.retiring.delete(place)
      place.close().catch(() => {})
    }
  }

  async leave(): Promise<void> {
    this.retry.stop()
    for (const entry of this.due.keys()) entry.pacer.cancel(this)
    this.due.clear()
    const joined = [...this.joined.values()]
    this.joined.clear()
    const retiring = [...this.retiring.keys()]
    this.retiring.clear()
    await Promise.allSettled(retiring.map((place) => place.close()))
    await Promise.allSettled(joined.flatMap(({ announcing, looking }) => [...announcing, ...looking].map((session) => session.destroy())))
    await Promise.allSettled(joined.map(({ place }) => place.close()))
  }

  // The remote is connected where it should be: its topics need not be looked up (Hyperswarm would
  // still do so every ten minutes) until that connection ends or another DHT is joined. The
  // announcements stay.
  stopLooking(): void {
    for (const due of this.due.values()) Object.assign(due, { join: due.join === null ? null : false, look: false, again: null })
    for (const joined of this.joined.values()) {
      joined.main = []
      for (const session of joined.looking.splice(0)) session.destroy().catch(() => {})
    }
  }

  /** Looks up the remote's topics again on every DHT (at once: a fresh join looks up). */
  startLooking(): void {
    for (const joined of this.joined.values()) {
      if (joined.looking.length === 0) Object.assign(joined, lookups(joined.place))
    }
  }

  /**
   * Looks up the remote's topics again. Only lookups: the announcements are Hyperswarm's to refresh
   * (every ten minutes and whenever the network changes), and re-announcing with every retry
   * roughly doubled the DHT traffic of a node with many offline contacts.
   * spare: the spare topics too. A quick retry looks for a contact that joined at the same moment,
   * whose clock says the same day; 50 hosts on a LAN spent two thirds of their pair lookups on the
   * days before and after in their first seconds.
   */
  refresh(opts: { lanOnly?: boolean; spare?: boolean } = {}): void {
    for (const entry of this.joined.keys()) {
      if (!opts.lanOnly || entry.lan) this.ask(entry, { look: opts.spare === false ? 'main' : 'all' })
    }
  }

  // Two nodes that add each other at the same instant each look up before the other's announcement
  // has landed. An announcement takes a round trip more than a lookup, so once this node's own is in,
  // the other's usually is too: look once more then rather than at the first retry, up to a second on.
  lookAgainOnceAnnounced(entry: SwarmEntry, stillLooking: () => boolean): void {
    if (this.joined.has(entry) || this.due.has(entry)) this.ask(entry, { again: stillLooking })
  }

  private ask(entry: SwarmEntry, wanted: Partial<Due>): void {
    const due = this.due.get(entry) ?? { join: null, look: false, again: null }
    if (wanted.join !== undefined) due.join = due.join === true || wanted.join === true
    if (wanted.look === 'all' || (wanted.look === 'main' && due.look === false)) due.look = wanted.look
    due.again = wanted.again ?? due.again
    this.due.set(entry, due)
    // A lookup alone is a retry, paced with the others; a join, or a look-again once joined, is not.
    entry.pacer.run(this, () => this.step(entry), due.join === null && due.again === null)
  }

  // One paced step on a DHT: what is due there when the pacer gets to it, settled once its queries are.
  private async step(entry: SwarmEntry): Promise<void> {
    const due = this.due.get(entry)
    this.due.delete(entry)
    if (due === undefined) return
    let joined = this.joined.get(entry)
    let former: Place | null = null
    if (due.join !== null) {
      const place = this.placeOn(entry)
      const fresh = { place, announcing: join(place, true), ...(due.join ? lookups(place) : { looking: [], main: [] }) }
      this.joined.set(entry, fresh)
      if (joined !== undefined) this.retiring.set((former = joined.place), entry)
      joined = fresh
    } else if (joined !== undefined && due.look !== false) {
      for (const session of due.look === 'all' ? joined.looking : joined.main) session.refresh().catch(() => {})
    }
    if (joined === undefined) return
    try {
      await Promise.all([...joined.announcing, ...joined.looking].map((session) => session.flushed()))
    } finally {
      // The former topics stay announced until the new ones are in: retired at once, they left a
      // contact who reconnected in those seconds (a DHT walk or two) nothing to find.
      if (former !== null && this.retiring.delete(former)) former.retire()
    }
    if (due.again === null || this.joined.get(entry) !== joined || !due.again()) return
    await Promise.all(joined.looking.map((session) => session.refresh()))
  }
}

function join(place: Place, server: boolean): PeerDiscoverySession[] {
  return joinEach(place, place.rendezvous.filter((r) => r.server === server))
}

function joinEach(place: Place, rendezvous: Rendezvous[]): PeerDiscoverySession[] {
  return rendezvous.map(({ topic, server }) => place.swarm.join(topic, { server, client: !server }))
}

/** Joins the place's lookups: every one, and which of them are not spare. */
function lookups(place: Place): { looking: PeerDiscoverySession[]; main: PeerDiscoverySession[] } {
  const looks = place.rendezvous.filter((r) => !r.server)
  const looking = joinEach(place, looks)
  return { looking, main: looking.filter((_, i) => looks[i].spare !== true) }
}

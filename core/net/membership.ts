import type Hyperswarm from 'hyperswarm'
import type { PeerDiscoverySession } from 'hyperswarm'
import type { ContactKey } from '../identity'
import { Backoff, type BackoffOptions } from './backoff'
import type { NodeCounter } from './status'

/** One Hyperswarm of the node: on the internet DHT, or on the LAN DHT with its node counter. */
export interface SwarmEntry {
  swarm: Hyperswarm
  lan: boolean
  counter: NodeCounter | null
}

/** A topic to join, as announcer (server) or looker (client). */
export interface Rendezvous {
  topic: Buffer
  server: boolean
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
}

/** The topics this node stays on for one remote key: where they are joined per DHT, and the re-lookup schedule. */
export class Membership {
  private readonly joined = new Map<SwarmEntry, Joined>()
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
    const place = this.placeOn(entry)
    this.joined.set(entry, { place, announcing: join(place, true), looking: look ? join(place, false) : [] })
  }

  /** Joins afresh on every DHT (the day's topics changed); what was joined before is retired. */
  rejoin(): void {
    for (const [entry, old] of [...this.joined]) {
      this.joinOn(entry, old.looking.length > 0)
      old.place.retire()
    }
  }

  dropSwarm(entry: SwarmEntry): void {
    const joined = this.joined.get(entry)
    this.joined.delete(entry)
    joined?.place.close().catch(() => {})
  }

  async leave(): Promise<void> {
    this.retry.stop()
    const joined = [...this.joined.values()]
    this.joined.clear()
    await Promise.allSettled(joined.flatMap(({ announcing, looking }) => [...announcing, ...looking].map((session) => session.destroy())))
    await Promise.allSettled(joined.map(({ place }) => place.close()))
  }

  // The remote is connected where it should be: its topics need not be looked up (Hyperswarm would
  // still do so every ten minutes) until that connection ends or another DHT is joined. The
  // announcements stay.
  stopLooking(): void {
    for (const joined of this.joined.values()) {
      for (const session of joined.looking.splice(0)) session.destroy().catch(() => {})
    }
  }

  /** Looks up the remote's topics again on every DHT (at once: a fresh join looks up). */
  startLooking(): void {
    for (const joined of this.joined.values()) {
      if (joined.looking.length === 0) joined.looking = join(joined.place, false)
    }
  }

  /**
   * Looks up the remote's topics again. Only lookups: the announcements are Hyperswarm's to refresh
   * (every ten minutes and whenever the network changes), and re-announcing with every retry
   * roughly doubled the DHT traffic of a node with many offline contacts.
   */
  refresh(lanOnly = false): void {
    for (const [entry, { looking }] of this.joined) {
      if (lanOnly && !entry.lan) continue
      for (const session of looking) session.refresh().catch(() => {})
    }
  }

  // Two nodes that add each other at the same instant each look up before the other's announcement
  // has landed. An announcement takes a round trip more than a lookup, so once this node's own is in,
  // the other's usually is too: look once more then rather than at the first retry, up to a second on.
  lookAgainOnceAnnounced(entry: SwarmEntry, stillLooking: () => boolean): void {
    const joined = this.joined.get(entry)
    if (joined === undefined) return
    Promise.all(joined.announcing.map((session) => session.flushed())).then(() => {
      if (!stillLooking()) return
      for (const session of joined.looking) session.refresh().catch(() => {})
    }, () => {})
  }
}

function join(place: Place, server: boolean): PeerDiscoverySession[] {
  return place.rendezvous.filter((r) => r.server === server).map(({ topic }) => place.swarm.join(topic, { server, client: !server }))
}

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
  sessions: PeerDiscoverySession[]
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

  joinOn(entry: SwarmEntry): void {
    const place = this.placeOn(entry)
    const sessions = place.rendezvous.map(({ topic, server }) => place.swarm.join(topic, { server, client: !server }))
    this.joined.set(entry, { place, sessions })
  }

  /** Joins afresh on every DHT (the day's topics changed); what was joined before is retired. */
  rejoin(): void {
    for (const [entry, old] of [...this.joined]) {
      this.joinOn(entry)
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
    await Promise.allSettled(joined.flatMap(({ sessions }) => sessions.map((session) => session.destroy())))
    await Promise.allSettled(joined.map(({ place }) => place.close()))
  }

  refresh(lanOnly = false): void {
    for (const [entry, { sessions }] of this.joined) {
      if (lanOnly && !entry.lan) continue
      for (const session of sessions) session.refresh().catch(() => {})
    }
  }

  // Two nodes that add each other at the same instant each look up before the other's announcement
  // has landed. An announcement takes a round trip more than a lookup, so once this node's own is in,
  // the other's usually is too: look once more then rather than at the first retry, up to a second on.
  lookAgainOnceAnnounced(entry: SwarmEntry, stillLooking: () => boolean): void {
    const joined = this.joined.get(entry)
    if (joined === undefined) return
    const { place, sessions } = joined
    const announcing = sessions.filter((_, i) => place.rendezvous[i].server)
    const looking = sessions.filter((_, i) => !place.rendezvous[i].server)
    Promise.all(announcing.map((session) => session.flushed())).then(() => {
      if (!stillLooking()) return
      for (const session of looking) session.refresh().catch(() => {})
    }, () => {})
  }
}

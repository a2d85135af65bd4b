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

/** The topics this node stays on for one remote key: their sessions per swarm and the re-lookup schedule. */
export class Membership {
  readonly sessions = new Map<SwarmEntry, PeerDiscoverySession[]>()
  readonly retry: Backoff
  /** Connections to this key in a row that died young. */
  shortLived = 0

  constructor(
    readonly key: ContactKey,
    readonly rendezvous: Rendezvous[],
    swarms: SwarmEntry[],
    onRetry: () => void,
    retryOpts: BackoffOptions
  ) {
    for (const entry of swarms) this.joinOn(entry)
    this.retry = new Backoff(onRetry, retryOpts)
    this.retry.start()
  }

  joinOn(entry: SwarmEntry): void {
    this.sessions.set(
      entry,
      this.rendezvous.map(({ topic, server }) => entry.swarm.join(topic, { server, client: !server }))
    )
  }

  dropSwarm(entry: SwarmEntry): void {
    this.sessions.delete(entry)
  }

  async leave(): Promise<void> {
    this.retry.stop()
    await Promise.allSettled([...this.sessions.values()].flat().map((session) => session.destroy()))
  }

  refresh(lanOnly = false): void {
    for (const [entry, sessions] of this.sessions) {
      if (lanOnly && !entry.lan) continue
      for (const session of sessions) session.refresh().catch(() => {})
    }
  }

  // Two nodes that add each other at the same instant each look up before the other's announcement
  // has landed. An announcement takes a round trip more than a lookup, so once this node's own is in,
  // the other's usually is too: look once more then rather than at the first retry, up to a second on.
  lookAgainOnceAnnounced(entry: SwarmEntry, stillLooking: () => boolean): void {
    const sessions = this.sessions.get(entry) ?? []
    const announcing = sessions.filter((_, i) => this.rendezvous[i].server)
    const looking = sessions.filter((_, i) => !this.rendezvous[i].server)
    Promise.all(announcing.map((session) => session.flushed())).then(() => {
      if (!stillLooking()) return
      for (const session of looking) session.refresh().catch(() => {})
    }, () => {})
  }
}

// A contact's Hyperswarm on one DHT for one day, under that side's pair key pair. Hyperswarm takes one
// key pair per instance, so each pair gets its own, all sharing the node's DHT through a view
// (shared-dht.ts) that lets a pair swarm be destroyed without destroying that DHT.
import Hyperswarm from 'hyperswarm'
import type HyperDHT from 'hyperdht'
import type { KeyPair, NoiseSecretStream } from 'hyperdht'
import type { IdentityKeyPair } from '../identity'
import { pairDays } from '../protocol/topics'
import type { Place } from './membership'
import { relayPings } from './relay-pings'
import { sharedDht } from './shared-dht'

// One connection per pair is all a pair swarm ever keeps; a few more let a reconnect overlap the old.
const MAX_PAIR_PEERS = 4

export interface PairSwarmOptions {
  dht: HyperDHT
  keyPair: KeyPair
  /** Asked at every handshake, both ways: true lets the remote key in. */
  admits(remoteKey: Buffer): boolean
  onConnection(stream: NoiseSecretStream): void
}

export class PairSwarm {
  readonly swarm: Hyperswarm
  private readonly release: () => void
  private retired = false
  private closing: Promise<void> | null = null

  constructor(opts: PairSwarmOptions) {
    const { view, release } = sharedDht(opts.dht)
    this.release = release
    this.swarm = new Hyperswarm({ keyPair: opts.keyPair, dht: view, maxPeers: MAX_PAIR_PEERS, firewall: (key) => !opts.admits(key) })
    // Its server keeps its relays warm within a budget shared on its DHT, not while the pair is connected (relay-pings.ts).
    const pings = relayPings(this.swarm.server, opts.dht)
    this.swarm.on('connection', (stream) => {
      // Hyperswarm's destroy does not cancel its dials, and the DHT outlives it: one that finishes
      // after close() would hand over a connection nothing closes (test/net/late-dial.test.ts).
      if (this.closing !== null) {
        stream.destroy()
        return
      }
      pings.quiet(true)
      stream.on('close', () => {
        pings.quiet(this.swarm.connections.size > 0)
        if (this.retired && this.swarm.connections.size === 0) this.close().catch(() => {})
      })
      opts.onConnection(stream)
    })
    // Refusals are the firewall's to decide at each handshake; Hyperswarm would remember them for ever.
    this.swarm.on('ban', (info) => {
      info.ban(false)
      this.swarm.peers.delete(info.publicKey.toString('hex'))
    })
  }

  /** The day is over: stop announcing and looking; the open connection, if any, lives on until it ends. */
  retire(): void {
    this.retired = true
    if (this.swarm.connections.size === 0) {
      this.close().catch(() => {})
      return
    }
    this.swarm.clear().catch(() => {})
    this.swarm.server.close().catch(() => {})
  }

  close(): Promise<void> {
    if (this.closing === null) this.closing = this.shutdown()
    return this.closing
  }

  private async shutdown(): Promise<void> {
    await this.swarm.destroy()
    for (const stream of this.swarm.connections) stream.destroy()
    this.release()
  }
}

export interface PairPlaceOptions {
  identity: IdentityKeyPair
  /** The contact's identity key. */
  remote: Buffer
  day: number
  dht: HyperDHT
  /** The rest of the firewall's say on a handshake with one of the contact's pair keys. */
  admits(): boolean
  onConnection(stream: NoiseSecretStream): void
}

// A contact's topics on one DHT for one day: a swarm under this side's key pair for the pair and the
// day, announcing the day's topic and looking up the contact's for the day before, the day and the day
// after, so two clocks on either side of midnight still meet (the day before and after are spare: not
// looked up at each quick retry, see Membership.refresh). It lets in only the contact's keys for those days.
export function pairPlace(opts: PairPlaceOptions): Place {
  const days = pairDays(opts.identity, opts.remote, [opts.day - 1, opts.day, opts.day + 1])
  const today = days[1]
  const theirKeys = new Set(days.map(({ theirs }) => theirs.publicKey.toString('hex')))
  const pair = new PairSwarm({
    dht: opts.dht,
    keyPair: today.mine.keyPair,
    admits: (key) => theirKeys.has(key.toString('hex')) && opts.admits(),
    onConnection: opts.onConnection
  })
  return {
    swarm: pair.swarm,
    rendezvous: [{ topic: today.mine.topic, server: true }, ...days.map(({ theirs }, i) => ({ topic: theirs.topic, server: false, spare: i !== 1 }))],
    retire: () => pair.retire(),
    close: () => pair.close()
  }
}

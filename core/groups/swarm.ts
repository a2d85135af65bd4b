import type HyperDHT from 'hyperdht'
import type { KeyPair, NoiseSecretStream } from 'hyperdht'
import Hypercore from 'hypercore'
import Hyperswarm, { type PeerDiscoverySession } from 'hyperswarm'
import { sharedDht } from '../net/shared-dht'
import type { GroupFeed } from './feed'
import type { Group } from './group'

/**
 * Swarms one group's logs among its members. The swarm's key pair is my group log's own signing key
 * pair, so what the DHT sees (topic and public key) is unique to this group and links neither to my
 * identity nor to my other groups; and the firewall admits a connection only from a key that signs
 * the log of a current member (the log key is the hash of the log's manifest, which names that
 * public key: Hypercore.key), as the group's signed membership names it. A removed member's log key is
 * no longer admitted, and their open connection is closed at the next refresh().
 *
 * Every log is attached to every member connection core by core (never the whole store), so a
 * member relays what it holds and one who was never online with an author still gets their blocks.
 * The swarm shares the node's DHT through a view whose destroy leaves the DHT running; it owns only
 * its Hyperswarm. A refusal is the firewall's to decide at each handshake: a member refused before its
 * addition reached this replica must get in once it has, so Hyperswarm's bans are lifted at once.
 */
export class GroupSwarm {
  private readonly swarm: Hyperswarm
  private readonly joined = new Map<string, { topic: Buffer; session: PeerDiscoverySession }>()
  private readonly offCore: () => void
  private readonly releaseDht: () => void
  private wasMember = false

  constructor(
    private readonly group: Group,
    private readonly feed: GroupFeed,
    dht: HyperDHT,
    keyPair: KeyPair
  ) {
    const shared = sharedDht(dht)
    this.releaseDht = shared.release
    this.swarm = new Hyperswarm({ dht: shared.view, keyPair, firewall: (remote) => !this.admits(remote) })
    this.swarm.on('connection', (conn) => this.onConnection(conn))
    this.swarm.on('ban', (info) => {
      info.ban(false)
      this.swarm.peers.delete(info.publicKey.toString('hex'))
    })
    this.offCore = feed.onCore((core) => {
      for (const conn of this.swarm.connections) core.replicate(conn)
    })
  }

  /**
   * Whether `remote` signs the log of a current member other than me. Before my own addition has
   * reached me I cannot tell members apart (the members who added me may be offline, and those I
   * do not know yet are the ones who can pass my addition on), so until then whoever is on the
   * secret topic is admitted: all they can do is serve me signed blocks, which the group checks.
   */
  admits(remote: Buffer): boolean {
    if (remote.equals(this.swarm.keyPair.publicKey)) return false
    if (this.group.isMember()) this.wasMember = true
    if (!this.wasMember) return true
    const log = Hypercore.key(remote)
    return this.group.members().some((m) => m.log.equals(log))
  }

  get connections(): number {
    return this.swarm.connections.size
  }

  /**
   * Joins the topics the group secret gives now and leaves the others; closes connections of those
   * who are no longer members. Call after the group changed (a removal brings a new secret) and
   * when the topic period turns.
   */
  async refresh(): Promise<void> {
    const topics = this.group.topics()
    const wanted = new Set(topics.map((t) => t.toString('hex')))
    for (const [key, { topic }] of this.joined) {
      if (wanted.has(key)) continue
      this.joined.delete(key)
      await this.swarm.leave(topic)
    }
    for (const topic of topics) {
      const key = topic.toString('hex')
      // A topic already joined is looked up again: a member added since may be there, and may have
      // been refused (before its addition reached me) when we first met.
      const joined = this.joined.get(key)
      if (joined !== undefined) await joined.session.refresh()
      else {
        const session = this.swarm.join(topic)
        this.joined.set(key, { topic, session })
        await session.flushed()
      }
    }
    for (const conn of this.swarm.connections) if (!this.admits(conn.remotePublicKey)) conn.destroy()
  }

  private onConnection(conn: NoiseSecretStream): void {
    conn.on('error', () => {})
    for (const core of this.feed.cores()) core.replicate(conn)
  }

  async destroy(): Promise<void> {
    this.offCore()
    await this.swarm.destroy()
    this.releaseDht()
  }
}

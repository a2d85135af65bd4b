import type HyperDHT from 'hyperdht'
import type { KeyPair, NoiseSecretStream } from 'hyperdht'
import Hypercore from 'hypercore'
import Hyperswarm, { type PeerDiscoverySession } from 'hyperswarm'
import { sharedDht } from '../net/shared-dht'
import type { GroupFeed } from './feed'
import type { Group } from './group'

/** How long a connection of someone just removed stays open, so that the removal reaches them. */
export const REMOVED_GRACE_MS = 5000

/**
 * Swarms one group's logs among its members. The swarm's key pair is my group log's own signing key
 * pair, so what the DHT sees (topic and public key) is unique to this group and links neither to my
 * identity nor to my other groups; and the firewall admits a connection only from a key that signs
 * the log of a current member (the log key is the hash of the log's manifest, which names that
 * public key: Hypercore.key), as the group's signed membership names it. A removed member's log key is
 * no longer admitted, and their open connection is closed REMOVED_GRACE_MS after the removal.
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
  /** Connections of former members, by remote key: since when they are no longer admitted. */
  private readonly former = new Map<string, number>()
  private graceTimer: NodeJS.Timeout | null = null

  constructor(
    private readonly group: Group,
    private readonly feed: GroupFeed,
    dht: HyperDHT,
    keyPair: KeyPair,
    /** Called with each admitted member connection (the messenger opens its group channel on it). */
    private readonly onMember: (conn: NoiseSecretStream) => void = () => {}
  ) {
    const shared = sharedDht(dht)
    this.releaseDht = shared.release
    this.swarm = new Hyperswarm({ dht: shared.view, keyPair, firewall: (remote) => !this.admits(remote) })
    this.swarm.on('connection', (conn) => this.onConnection(conn))
    // Whom to admit changes with the membership (and before my addition reaches me): refusals are
    // decided at each handshake, never remembered by Hyperswarm.
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
    this.closeFormer()
  }

  /**
   * Closes the connections of those who are no longer members once they have had REMOVED_GRACE_MS
   * to replicate the block that removed them (written by a member they are connected to, it is
   * the last thing they can learn from the group: nothing after it is sealed to them, and the topic
   * has moved). New connections from them are refused at once by the firewall.
   */
  private closeFormer(): void {
    const now = Date.now()
    let wait = Infinity
    for (const conn of this.swarm.connections) {
      if (this.admits(conn.remotePublicKey)) continue
      const key = conn.remotePublicKey.toString('hex')
      const since = this.former.get(key) ?? now
      this.former.set(key, since)
      if (now - since >= REMOVED_GRACE_MS) conn.destroy()
      else wait = Math.min(wait, since + REMOVED_GRACE_MS - now)
    }
    for (const key of this.former.keys()) {
      if (![...this.swarm.connections].some((c) => c.remotePublicKey.toString('hex') === key)) this.former.delete(key)
    }
    if (wait === Infinity || this.graceTimer) return
    this.graceTimer = setTimeout(() => {
      this.graceTimer = null
      this.closeFormer()
    }, wait)
    this.graceTimer.unref()
  }

  /**
   * Announces and looks up the joined topics again: two members who joined at the same instant can
   * each look up before the other's announcement lands, and Hyperswarm's own next lookup is minutes away.
   */
  async lookAgain(): Promise<void> {
    for (const { session } of this.joined.values()) await session.refresh()
  }

  private onConnection(conn: NoiseSecretStream): void {
    conn.on('error', () => {})
    for (const core of this.feed.cores()) core.replicate(conn)
    this.onMember(conn)
  }

  async destroy(): Promise<void> {
    if (this.graceTimer) clearTimeout(this.graceTimer)
    this.offCore()
    await this.swarm.destroy()
    // Hyperswarm leaves its connections to its DHT's destroy, which the view turns into nothing: the
    // members would keep a silent connection to one who left, and never look for the others.
    for (const conn of this.swarm.connections) conn.destroy()
    this.releaseDht()
  }
}

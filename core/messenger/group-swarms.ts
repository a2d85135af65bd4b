// One group's swarms: a GroupSwarm on each DHT the node runs (the internet's and any LAN one), each on
// a view of that DHT (GroupSwarm makes it) so closing the group's swarm leaves the node's DHT running.
// The topics are looked up again while no member is connected and soon after a member's connection
// closes, with backoff: Hyperswarm's own next lookup is minutes away. The topics also follow the
// clock (topic.ts: a new one each week), checked once a minute, since a quiet group takes no block
// around the turn that would refresh them.
import type HyperDHT from 'hyperdht'
import type { KeyPair, NoiseSecretStream } from 'hyperdht'
import { GroupSwarm, type Group, type GroupFeed } from '../groups'
import { Backoff } from '../net/backoff'

// A look-up round 1-2 s after it is asked for, the waits doubling (with jitter) to 2 minutes while
// no member is connected, or while member connections keep closing.
const LOOKUP_FIRST_MS = 2_000
const LOOKUP_MAX_MS = 120_000
// A member connection that closes this long after the last one did looks again from the shortest wait.
const QUIET_MS = 15_000
// How often to check whether the topic period turned: a minute late on a weekly turn is nothing,
// and an interval (unlike one timer for the turn) stays right across a sleep or a clock change.
const TURN_CHECK_MS = 60_000

export class GroupSwarms {
  private readonly swarms = new Map<HyperDHT, GroupSwarm>()
  // Why look again after a close although other members are still connected: the mesh can be
  // partial (members who joined the topic at the same instant can each miss the other's
  // announcement), so a member may reach the others only through the one who just left.
  private readonly lookups = new Backoff(() => this.lookAgain(), { initialMs: LOOKUP_FIRST_MS, maxMs: LOOKUP_MAX_MS })
  private lastLoss = 0
  private closed = false
  /** My status, the topics and the member logs the swarms were last refreshed for. */
  private refreshedFor = ''
  /** The topics the swarms were last refreshed for, to notice that the clock has moved them on. */
  private topicsFor = ''
  private turnCheck: NodeJS.Timeout | null = null

  constructor(
    private readonly group: Group,
    private readonly feed: GroupFeed,
    private readonly keyPair: KeyPair,
    private readonly onMember: (conn: NoiseSecretStream) => void,
    private readonly report: (err: unknown) => void
  ) {}

  /** Open member connections, on every DHT. */
  get connections(): number {
    let count = 0
    for (const swarm of this.swarms.values()) count += swarm.connections
    return count
  }

  add(dht: HyperDHT): void {
    if (this.closed || this.swarms.has(dht)) return
    const swarm = new GroupSwarm(this.group, this.feed, dht, this.keyPair, (conn) => this.opened(conn))
    this.swarms.set(dht, swarm)
    if (!this.turnCheck) {
      this.turnCheck = setInterval(() => this.followTurn(), TURN_CHECK_MS)
      this.turnCheck.unref()
    }
    if (this.group.topics().length > 0) void swarm.refresh().catch(this.report)
  }

  async remove(dht: HyperDHT): Promise<void> {
    const swarm = this.swarms.get(dht)
    if (!swarm) return
    this.swarms.delete(dht)
    await swarm.destroy()
  }

  /**
   * After the group took blocks: a refresh only if what decides whom to find or where changed. Each
   * refresh announces and looks up every topic again: on every message that was about six DHT
   * requests per message and member (test/groups/messenger.test.ts).
   */
  refreshIfChanged(status: string): void {
    const now = `${status}|${this.topicsNow()}|${this.group.members().map((m) => m.log.toString('hex')).join()}`
    if (now === this.refreshedFor) return
    this.refreshedFor = now
    void this.refresh()
  }

  /** After the group changed: the topics its secret gives now, and only current members connected. */
  async refresh(): Promise<void> {
    this.topicsFor = this.topicsNow()
    for (const swarm of this.swarms.values()) await swarm.refresh().catch(this.report)
    if (this.connections === 0 && !this.closed) this.lookups.start()
  }

  async close(): Promise<void> {
    this.closed = true
    this.lookups.stop()
    if (this.turnCheck) clearInterval(this.turnCheck)
    for (const dht of [...this.swarms.keys()]) await this.remove(dht)
  }

  private topicsNow(): string {
    return this.group.topics().map((t) => t.toString('hex')).join()
  }

  // The period turned (or its overlap hour ended) since the last refresh: join the new topic, leave the old.
  private followTurn(): void {
    if (!this.closed && this.topicsNow() !== this.topicsFor) void this.refresh()
  }

  private opened(conn: NoiseSecretStream): void {
    conn.once('close', () => this.lost())
    this.onMember(conn)
  }

  // A member connection closed: one round soon; if connections keep closing (a flapping peer,
  // Hyperswarm dropping one of two simultaneous dials), each round after a wait that goes on doubling.
  private lost(): void {
    if (this.closed) return
    const now = Date.now()
    const quiet = now - this.lastLoss >= QUIET_MS
    this.lastLoss = now
    if (quiet) this.lookups.restart()
    else this.lookups.resume()
  }

  // One round on every DHT; then again with backoff only while no member is connected.
  private lookAgain(): void {
    for (const swarm of this.swarms.values()) void swarm.lookAgain().catch(() => undefined)
    if (this.connections > 0) this.lookups.stop()
  }
}

// One group's swarms: a GroupSwarm on each DHT the node runs (the internet's and any LAN one), each on
// a view of that DHT (GroupSwarm makes it) so closing the group's swarm leaves the node's DHT running; and while no member
// is connected, the topics are looked up again with backoff (two members who joined at the same
// instant can each miss the other's announcement, and Hyperswarm's own next lookup is minutes away).
import type HyperDHT from 'hyperdht'
import type { KeyPair, NoiseSecretStream } from 'hyperdht'
import { GroupSwarm, type Group, type GroupFeed } from '../groups'

// Looking up the topic again while no member is connected: 1 s, doubling, at most every 2 minutes.
const LOOKUP_FIRST_MS = 1000
const LOOKUP_MAX_MS = 120_000

export class GroupSwarms {
  private readonly swarms = new Map<HyperDHT, { swarm: GroupSwarm }>()
  private lookupTimer: NodeJS.Timeout | null = null
  private lookupDelay = LOOKUP_FIRST_MS
  private closed = false

  constructor(
    private readonly group: Group,
    private readonly feed: GroupFeed,
    private readonly keyPair: KeyPair,
    private readonly onMember: (conn: NoiseSecretStream) => void,
    private readonly report: (err: unknown) => void
  ) {}

  add(dht: HyperDHT): void {
    if (this.closed || this.swarms.has(dht)) return
    const swarm = new GroupSwarm(this.group, this.feed, dht, this.keyPair, this.onMember)
    this.swarms.set(dht, { swarm })
    if (this.group.topics().length > 0) void swarm.refresh().catch(this.report)
  }

  async remove(dht: HyperDHT): Promise<void> {
    const entry = this.swarms.get(dht)
    if (!entry) return
    this.swarms.delete(dht)
    await entry.swarm.destroy()
  }

  /** After the group changed: the topics its secret gives now, and only current members connected. */
  async refresh(): Promise<void> {
    for (const { swarm } of this.swarms.values()) await swarm.refresh().catch(this.report)
    this.scheduleLookup()
  }

  private scheduleLookup(): void {
    if (this.closed || this.lookupTimer) return
    this.lookupTimer = setTimeout(() => {
      this.lookupTimer = null
      const idle = [...this.swarms.values()].every(({ swarm }) => swarm.connections === 0)
      if (idle) for (const { swarm } of this.swarms.values()) void swarm.lookAgain().catch(() => undefined)
      this.lookupDelay = idle ? Math.min(this.lookupDelay * 2, LOOKUP_MAX_MS) : LOOKUP_FIRST_MS
      this.scheduleLookup()
    }, this.lookupDelay)
    this.lookupTimer.unref()
  }

  async close(): Promise<void> {
    this.closed = true
    if (this.lookupTimer) clearTimeout(this.lookupTimer)
    for (const dht of [...this.swarms.keys()]) await this.remove(dht)
  }
}

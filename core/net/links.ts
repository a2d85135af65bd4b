import type { Link } from './link'
import type { SwarmEntry } from './membership'

/** The one open connection per remote key, across all swarms, and the swarm each came over. */
export class Links {
  private readonly byKey = new Map<string, Link>()
  private readonly swarmOf = new WeakMap<Link, SwarmEntry>()

  get size(): number {
    return this.byKey.size
  }

  get(hex: string): Link | undefined {
    return this.byKey.get(hex)
  }

  has(hex: string): boolean {
    return this.byKey.has(hex)
  }

  values(): IterableIterator<Link> {
    return this.byKey.values()
  }

  /**
   * Whether a new connection from this key over a swarm is taken: the LAN one wins, on both ends
   * alike; within one swarm the newer wins, as Hyperswarm itself decides (the remote is reconnecting).
   * pair: it came over the remote's pair swarm, where a contact's connections come from. One over
   * the identity swarm never replaces a contact's open link: it is a contact request's dial (to an
   * inbox) that was still under way when the pair met, and once took the place of a working link
   * seconds later (the "third-peer drop" of test/lan/move-to-lan.test.ts).
   * The link it replaces, if any, is handed back for the caller to destroy.
   */
  admit(hex: string, lan: boolean, pair: boolean): { take: boolean; replaced: Link | null } {
    const existing = this.byKey.get(hex)
    if (existing === undefined) return { take: true, replaced: null }
    if ((existing.lan && !lan) || (!pair && existing.peer !== null)) return { take: false, replaced: null }
    this.byKey.delete(hex)
    return { take: true, replaced: existing }
  }

  add(link: Link, entry: SwarmEntry): void {
    this.byKey.set(link.key.hex, link)
    this.swarmOf.set(link, entry)
  }

  /** Forgets the link if it is still the current one for its key; false if it was already replaced. */
  remove(link: Link): boolean {
    if (this.byKey.get(link.key.hex) !== link) return false
    this.byKey.delete(link.key.hex)
    return true
  }

  isCurrent(link: Link): boolean {
    return this.byKey.get(link.key.hex) === link
  }

  over(entry: SwarmEntry): Link[] {
    return [...this.byKey.values()].filter((link) => this.swarmOf.get(link) === entry)
  }
}

import { ContactKey } from '../identity'
import { Admission } from './admission'
import type { Links } from './links'
import type { NetworkLimits, PeerClass } from './types'

const DEFAULT_REQUESTS_PER_MINUTE = 20
const DEFAULT_MAX_UNKNOWN = 8

/** What the firewall needs to know of the rest of the network. */
export interface FirewallView {
  readonly links: Links
  closed(): boolean
  /** The node is on this key's topics: a contact of it, or the target of its own request. */
  isMember(hex: string): boolean
}

/**
 * Who gets in: the classifier's word on each remote key (a failing classifier refuses), and the
 * admission of strangers, each holding a slot while connected as a guest.
 */
export class Firewall {
  private readonly admission: Admission
  private readonly guests = new Set<string>()

  constructor(
    private readonly classifier: (remoteKey: Buffer) => PeerClass,
    limits: NetworkLimits | undefined,
    private readonly view: FirewallView,
    private readonly log: (message: string) => void
  ) {
    this.admission = new Admission({
      requestsPerMinute: limits?.requestsPerMinute ?? DEFAULT_REQUESTS_PER_MINUTE,
      maxUnknownConnections: limits?.maxUnknownConnections ?? DEFAULT_MAX_UNKNOWN
    })
  }

  classify(remoteKey: Buffer): PeerClass {
    try {
      const cls = this.classifier(remoteKey)
      return cls === 'contact' || cls === 'unknown' ? cls : 'blocked'
    } catch (err) {
      this.log(`classify failed, refusing the peer: ${err instanceof Error ? err.message : String(err)}`)
      return 'blocked'
    }
  }

  // Hyperswarm's firewall: true refuses. remotePayload is null when this node is the one dialling,
  // which it only does towards contacts and the targets of its own requests. A key already connected
  // over the LAN is not taken again over the internet (the LAN connection would win anyway).
  forSwarm(lan: boolean): (remoteKey: Buffer, remotePayload: unknown) => boolean {
    return (remoteKey, remotePayload) => this.refuses(remoteKey, remotePayload, lan)
  }

  private refuses(remoteKey: Buffer, remotePayload: unknown, lan: boolean): boolean {
    const { view } = this
    if (view.closed()) return true
    const key = ContactKey.fromBytes(remoteKey).hex
    const cls = this.classify(remoteKey)
    if (cls === 'blocked') return true
    if (!lan && view.links.get(key)?.lan === true) return true
    if (cls === 'contact' || view.isMember(key)) return false
    if (remotePayload === null) return true
    if (view.links.has(key)) return true
    return !this.admission.admit(key)
  }

  /** A connection is open: a stranger's holds an admission slot until released. */
  opened(remoteKey: Buffer, hex: string): void {
    const guest = this.classify(remoteKey) === 'unknown' && !this.view.isMember(hex)
    if (!guest) return
    this.guests.add(hex)
    this.admission.opened(hex)
  }

  release(hex: string): void {
    if (!this.guests.delete(hex)) return
    this.admission.closed(hex)
  }
}

import { ContactKey } from '../identity'
import type { ClientAddress } from 'hyperdht'
import { Admission, sourceOf } from './admission'
import type { Links } from './links'
import type { NetworkLimits, PeerClass, Refusal } from './types'

const DEFAULT_REQUESTS_PER_MINUTE = 20
const DEFAULT_MAX_UNKNOWN = 8

/** What the firewall needs to know of the rest of the network. */
export interface FirewallView {
  readonly links: Links
  closed(): boolean
  /** The node is on this key's topics: a contact of it, or the target of its own request. */
  isMember(hex: string): boolean
  /** A handshake was turned away. */
  refused(remoteKey: Buffer, why: Refusal): void
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

  // Hyperswarm's firewall, asked when this node dials (it only dials contacts and the targets of its
  // own requests): true refuses. A key already connected over the LAN is not taken again over the
  // internet (the LAN connection would win anyway).
  forDialling(lan: boolean): (remoteKey: Buffer) => boolean {
    return (remoteKey) => this.judge(remoteKey, null, lan)
  }

  /** The DHT server's firewall, asked at each incoming handshake with the address it came from: true refuses. */
  forServer(lan: boolean): (remoteKey: Buffer, payload: unknown, address: ClientAddress) => boolean {
    return (remoteKey, _payload, address) => this.judge(remoteKey, sourceOf(address.host), lan)
  }

  /** source: null when this node is the one dialling. */
  judge(remoteKey: Buffer, source: string | null, lan: boolean): boolean {
    const why = this.refusal(remoteKey, source, lan)
    if (why === null) return false
    this.view.refused(remoteKey, why)
    return true
  }

  private refusal(remoteKey: Buffer, source: string | null, lan: boolean): Refusal | null {
    const { view } = this
    if (view.closed()) return 'closed'
    const key = ContactKey.fromBytes(remoteKey).hex
    const cls = this.classify(remoteKey)
    if (cls === 'blocked') return 'blocked'
    if (!lan && view.links.get(key)?.lan === true) return 'over-lan'
    if (cls === 'contact' || view.isMember(key)) return null
    if (source === null) return 'not-dialled'
    if (view.links.has(key)) return 'connected'
    return this.admission.admit(key, source) ? null : 'admission'
  }

  /** A pair swarm's handshake with one of the contact's pair keys: let in while the key is a contact's. */
  admitsContact(contact: ContactKey, lan: boolean): boolean {
    if (this.view.closed() || this.classify(contact.bytes) !== 'contact') return false
    return lan || this.view.links.get(contact.hex)?.lan !== true
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

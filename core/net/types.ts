import type { HostPort } from 'hyperdht'
import type { IdentityKeyPair } from '../identity'

export type PeerClass = 'contact' | 'blocked' | 'unknown'

/**
 * Why the firewall turned a handshake away: the node is closing, the key is blocked, it is already
 * connected over the LAN, this node would be dialling a stranger, the stranger is already connected,
 * or the admission limits for strangers are reached.
 */
export type Refusal = 'closed' | 'blocked' | 'over-lan' | 'not-dialled' | 'connected' | 'admission'

export interface NetworkLimits {
  /** Strangers admitted per sliding minute (each may deliver one contact request). */
  requestsPerMinute?: number
  /** Strangers connected at once. */
  maxUnknownConnections?: number
  /** A stranger's connection is dropped after this long if it has not become a contact. */
  inboxTimeoutMs?: number
}

export interface NetworkOptions {
  /** The identity key pair (Ed25519, libsodium form), used as the swarm's Noise key pair. */
  keyPair: IdentityKeyPair
  /** Absent: HyperDHT's public bootstrap. Tests always pass a loopback testnet's. */
  bootstrap?: HostPort[]
  /** Asked at the Noise handshake, before anything else, and again whenever a channel is opened. */
  classify(remoteKey: Buffer): PeerClass
  limits?: NetworkLimits
  /** Re-lookup schedule while a contact or a request target is not connected. */
  retry?: { initialMs?: number; maxMs?: number }
  /** Start hidden (see Network.setHidden). */
  hidden?: boolean
  /** The clock that sets the day of the pair keys and topics; default Date.now. */
  clock?: () => number
  /** Where the reasons for refused frames go; default console.warn. */
  log?: (message: string) => void
}

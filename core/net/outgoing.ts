import type { ContactKey } from '../identity'
import { inviteKeyPair } from '../protocol/invite'
import { inboxTopic } from '../protocol/topics'
import type { BackoffOptions } from './backoff'
import type { Links } from './links'
import { Membership, type Place, type SwarmEntry } from './membership'
import type { PeerClass } from './types'

// A request waits for its target to come online, and only this side looks: the target does not know
// it yet. With a contact's backoff (up to 10 min) a request reached someone who came back only at the
// next lookup, minutes later. Pending requests are few, so a lookup a minute each costs little.
export const REQUEST_RETRY_MAX_MS = 60_000

interface PendingRequest {
  membership: Membership
  bytes: Buffer
  /** The invite key dialled instead of the inbox topic, if the request goes through an invite. */
  inviteKey: string | null
}

export interface OutgoingDeps {
  /** The node's own swarms (the live list). */
  swarms: SwarmEntry[]
  links: Links
  retryOpts: BackoffOptions
  classify(remoteKey: Buffer): PeerClass
  /** The request reached its target (acked, or the target is connected as a contact). */
  delivered(remote: ContactKey): void
}

/**
 * This node's contact requests until each is delivered: the target's inbox topic looked up, or the key
 * of the target's invite dialled, on every swarm, retried with backoff; the frame sent on connecting.
 */
export class OutgoingRequests {
  private readonly pending = new Map<string, PendingRequest>()
  // A connection to an invite's key stands for the inviter: the hello then binds it to their identity.
  private readonly invites = new Map<string, ContactKey>()

  constructor(private readonly deps: OutgoingDeps) {}

  has(hex: string): boolean {
    return this.pending.has(hex)
  }

  bytes(hex: string): Buffer | null {
    return this.pending.get(hex)?.bytes ?? null
  }

  /** The inviter a Noise key dialled for an invite stands for. */
  inviter(noiseHex: string): ContactKey | undefined {
    return this.invites.get(noiseHex)
  }

  /** The longest wait of the step the request's re-lookup schedule has reached; null for none pending. */
  retryDelayMs(hex: string): number | null {
    return this.pending.get(hex)?.membership.retry.currentMs ?? null
  }

  memberships(): Membership[] {
    return [...this.pending.values()].map(({ membership }) => membership)
  }

  send(remote: ContactKey, bytes: Buffer, invite: Buffer | null): void {
    const existing = this.pending.get(remote.hex)
    if (existing !== undefined) {
      existing.bytes = bytes
      return
    }
    let place: (entry: SwarmEntry) => Place
    let inviteKey: string | null = null
    if (invite === null) {
      const rendezvous = [{ topic: inboxTopic(remote.bytes), server: false }]
      place = (entry) => ({ swarm: entry.swarm, rendezvous, retire: () => {}, close: async () => {} })
    } else {
      const { publicKey } = inviteKeyPair(invite)
      inviteKey = publicKey.toString('hex')
      this.invites.set(inviteKey, remote)
      place = (entry) => {
        entry.swarm.joinPeer(publicKey)
        return { swarm: entry.swarm, rendezvous: [], retire: () => {}, close: async () => entry.swarm.leavePeer(publicKey) }
      }
    }
    const retryOpts = { ...this.deps.retryOpts, maxMs: Math.min(this.deps.retryOpts.maxMs, REQUEST_RETRY_MAX_MS) }
    const membership = new Membership(remote, this.deps.swarms, place, () => this.retry(remote.hex), retryOpts)
    this.pending.set(remote.hex, { membership, bytes, inviteKey })
    this.deps.links.get(remote.hex)?.sendRequest(bytes)
  }

  /** Resolves once the node has left the target's inbox (never rejects). */
  cancel(hex: string): Promise<void> {
    const left = this.forget(hex)
    if (left === null) return Promise.resolve()
    const link = this.deps.links.get(hex)
    if (link !== undefined) {
      link.cancelRequest()
      if (link.peer === null && this.deps.classify(link.remoteKey) !== 'contact') link.destroy()
    }
    return left
  }

  delivered(hex: string): void {
    const pending = this.pending.get(hex)
    if (pending === undefined || this.forget(hex) === null) return
    this.deps.delivered(pending.membership.key)
  }

  linkClosed(hex: string): void {
    this.pending.get(hex)?.membership.retry.resume()
  }

  /** Drops a pending request; the promise settles once its rendezvous is left, null if none was pending. */
  private forget(hex: string): Promise<void> | null {
    const pending = this.pending.get(hex)
    if (pending === undefined) return null
    this.pending.delete(hex)
    if (pending.inviteKey !== null) this.invites.delete(pending.inviteKey)
    return pending.membership.leave().catch(() => {})
  }

  private retry(hex: string): void {
    const pending = this.pending.get(hex)
    if (pending === undefined) return
    const link = this.deps.links.get(hex)
    if (link !== undefined) link.sendRequest(pending.bytes)
    else pending.membership.refresh()
  }
}

import { CairnError } from '../api/errors'
import type { ContactId } from '../api/types'
import { ContactKey } from '../identity'
import type { PeerClass } from '../net'
import { keys, type Store } from '../store'
import type { Conversation } from './conversation'
import type { RequestRecord } from './records'

/**
 * Who this profile knows: its contacts' conversations, the contact requests it holds and the keys
 * it refused. Made before the network and the messenger, so the network's firewall asks it directly.
 */
export class Directory {
  private readonly contacts = new Map<string, Conversation>()
  /**
   * The same conversations by the canonical form of their contact ID: every API call names a
   * contact by ID, and decoding one checks that the key is a curve point (~0.2 ms, 7 % of a burst
   * of sends). Other spellings of an ID still decode.
   */
  private readonly byId = new Map<string, Conversation>()
  private readonly pending = new Map<string, RequestRecord>()
  private readonly refused = new Set<string>()

  /** Loads the requests held and the keys refused (a refused entry is keyed by the tag and holds the public key). */
  async loadRequests(store: Store): Promise<void> {
    for await (const { value } of store.range(keys.refusedAll())) this.refused.add(ContactKey.fromBytes(value).hex)
    for await (const { value } of store.range(keys.requests())) {
      const r = JSON.parse(value.toString('utf8')) as RequestRecord
      this.pending.set(r.pk, r)
    }
  }

  /** Who the network lets in, asked at every handshake. */
  classify(remoteKey: Buffer): PeerClass {
    const { hex } = ContactKey.fromBytes(remoteKey)
    const c = this.contacts.get(hex)
    if (c) return c.record.blocked ? 'blocked' : 'contact'
    return this.refused.has(hex) ? 'blocked' : 'unknown'
  }

  conversation(key: ContactKey): Conversation | null {
    return this.contacts.get(key.hex) ?? null
  }

  /** The conversation with a contact ID; CairnError('not-found') if it is no contact. */
  require(id: ContactId): Conversation {
    const c = this.byId.get(id) ?? this.contacts.get(ContactKey.fromId(id).hex)
    if (!c) throw new CairnError('not-found', 'no such contact')
    return c
  }

  conversations(): IterableIterator<Conversation> {
    return this.contacts.values()
  }

  isListed(c: Conversation): boolean {
    return this.contacts.get(c.key.hex) === c
  }

  list(c: Conversation): void {
    this.contacts.set(c.key.hex, c)
    this.byId.set(c.key.id, c)
    this.pending.delete(c.key.hex)
    this.refused.delete(c.key.hex)
  }

  unlist(c: Conversation): void {
    if (!this.isListed(c)) return
    this.contacts.delete(c.key.hex)
    this.byId.delete(c.key.id)
  }

  /** Whether a log key is one of any conversation's two logs. */
  knownLog(logKey: Buffer): boolean {
    for (const c of this.contacts.values()) if (c.ownsLog(logKey)) return true
    return false
  }

  // ---- requests ----

  request(key: ContactKey): RequestRecord | null {
    return this.pending.get(key.hex) ?? null
  }

  requests(): IterableIterator<RequestRecord> {
    return this.pending.values()
  }

  get requestCount(): number {
    return this.pending.size
  }

  /** Whether a request from this key is of no use: a contact, refused, or already held. */
  knows(key: ContactKey): boolean {
    return this.contacts.has(key.hex) || this.refused.has(key.hex) || this.pending.has(key.hex)
  }

  hold(record: RequestRecord): void {
    this.pending.set(record.pk, record)
  }

  refuse(key: ContactKey): void {
    this.pending.delete(key.hex)
    this.refused.add(key.hex)
  }
}

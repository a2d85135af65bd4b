import type { EventEmitter } from 'node:events'
import type Corestore from 'corestore'
import { CairnError } from '../api/errors'
import type { CairnEvent, Contact, ContactId, SecurityKind } from '../api/types'
import { decodeContactId, type IdentityKeyPair, type KeystoreSecrets } from '../identity'
import type { Network } from '../net'
import type { RequestFrame } from '../net/frames'
import { bundleOf, encodeBundle, RatchetError, type SignedPrekey } from '../ratchet'
import { keys, type Store } from '../store'
import type { StoreEpochs } from '../store/epochs'
import type { Conversation } from './conversation'
import type { PrekeyPolicy } from './prekey-schedule'
import type { ContactRecord, MetaRecord } from './records'

export interface MessengerParts {
  secrets: KeystoreSecrets
  corestore: Corestore
  store: Store
  /** The store's epochs: a deletion ends the current one so the deleted data leaves the disk. */
  epochs: StoreEpochs
  meta: MetaRecord
  prekeys: Map<number, SignedPrekey>
  network: Network
  lanDiscovery: boolean
  /** The time the prekey schedule goes by (tests move it). */
  clock?: () => number
  prekeyPolicy?: PrekeyPolicy
}

/**
 * What every part of an open profile shares: its keys, stores, network and contacts, and the one
 * way each of them records a change or reports one.
 */
export class MessengerContext {
  readonly secrets: KeystoreSecrets
  readonly identity: IdentityKeyPair
  readonly corestore: Corestore
  readonly store: Store
  readonly epochs: StoreEpochs
  readonly network: Network
  readonly prekeys: Map<number, SignedPrekey>
  readonly conversations = new Map<string, Conversation>()
  meta: MetaRecord
  closing = false

  constructor(
    parts: MessengerParts,
    private readonly events: EventEmitter
  ) {
    this.secrets = parts.secrets
    this.identity = parts.secrets.identity
    this.corestore = parts.corestore
    this.store = parts.store
    this.epochs = parts.epochs
    this.network = parts.network
    this.meta = parts.meta
    this.prekeys = parts.prekeys
  }

  contact(id: ContactId): Conversation {
    const pk = decodeContactId(id)
    const c = this.conversations.get(pk.toString('hex'))
    if (!c) throw new CairnError('not-found', 'no such contact')
    return c
  }

  decodeOther(id: ContactId): Buffer {
    const pk = decodeContactId(id)
    if (pk.equals(this.identity.publicKey)) throw new CairnError('self', 'this is your own ID')
    return pk
  }

  myRequest(): RequestFrame {
    return { name: this.meta.name, bundle: this.myBundle() }
  }

  myBundle(): Buffer {
    const prekey = this.prekeys.get(this.meta.prekeyId)
    if (!prekey) throw new CairnError('corrupt-profile', 'my current prekey is missing')
    return encodeBundle(bundleOf(this.identity, prekey))
  }

  /**
   * Changes a contact record inside the store's write queue, from its state at that moment, so
   * concurrent updates (a receipt, a hello, a decrypted block) never overwrite each other.
   * The patch function returns null to leave the record as it is.
   */
  async updateContact(c: Conversation, patch: (rec: ContactRecord) => Partial<ContactRecord> | null): Promise<void> {
    await this.store.write(
      (tx) => {
        const change = patch(c.rec)
        // A change that changes nothing is not written: peers repeat frames, and every write stays on disk until the epoch ends.
        if (!change || Object.entries(change).every(([k, v]) => sameValue(c.rec[k as keyof ContactRecord], v))) return c.rec
        const rec = { ...c.rec, ...change }
        tx.putJson(keys.contact(c.tag), rec)
        return rec
      },
      (rec) => (c.rec = rec)
    )
  }

  async saveMeta(meta: MetaRecord): Promise<void> {
    await this.store.write((tx) => tx.putJson(keys.meta(), meta))
    this.meta = meta
  }

  security(c: Conversation, kind: SecurityKind, detail: string): void {
    this.emitEvent({ type: 'security', event: { contact: c.id, kind, detail, at: Date.now() } })
  }

  emitContact(c: Conversation): Contact {
    const contact = c.toContact()
    if (this.conversations.get(c.rec.pk) === c) this.emitEvent({ type: 'contact', contact })
    return contact
  }

  emitEvent(event: CairnEvent): void {
    if (this.closing) return
    this.events.emit('event', event)
  }

  logError(err: unknown): void {
    this.events.emit('error-log', err)
  }

  /** A failure nobody awaits; after close it is the shutdown's doing and goes unreported. */
  reportError(err: unknown): void {
    if (!this.closing) this.logError(err)
  }

  /** Runs a handler of peer input: a failure is reported, never thrown into the network's emitter. */
  guard(fn: () => Promise<void> | void): void {
    const report = (err: unknown) => this.reportError(err)
    try {
      // Synchronously: listeners on a new peer must be in place before its first frame is emitted.
      Promise.resolve(fn()).catch(report)
    } catch (err) {
      report(err)
    }
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b)
}

export function errorText(err: unknown): string {
  if (err instanceof RatchetError) return `${err.code}: ${err.message}`
  return err instanceof Error ? err.message : String(err)
}

import { CairnError } from '../api/errors'
import type { IdentityKeyPair, KeystoreSecrets } from '../identity'
import type { RequestFrame } from '../net/frames'
import { bundleOf, encodeBundle, encodeSignedPrekey, type SignedPrekey } from '../ratchet'
import { keys, type Store } from '../store'
import type { OneTimeSupply } from './one-time-supply'
import type { MetaRecord } from './records'

/** This profile's own side: its identity, its settings record, its signed and one-time prekeys. */
export class Self {
  readonly identity: IdentityKeyPair
  private metaRecord: MetaRecord

  constructor(
    readonly secrets: KeystoreSecrets,
    meta: MetaRecord,
    private readonly prekeys: Map<number, SignedPrekey>,
    private readonly store: Store,
    /** My one-time prekeys, some of which my home node hands out. */
    readonly oneTime: OneTimeSupply
  ) {
    this.identity = secrets.identity
    this.metaRecord = meta
  }

  get meta(): Readonly<MetaRecord> {
    return this.metaRecord
  }

  get name(): string {
    return this.metaRecord.name
  }

  prekey(id: number): SignedPrekey | null {
    return this.prekeys.get(id) ?? null
  }

  /** The prekeys as they stand, for the rotation schedule to read. */
  allPrekeys(): ReadonlyMap<number, SignedPrekey> {
    return this.prekeys
  }

  async saveMeta(meta: MetaRecord): Promise<void> {
    await this.store.write((tx) => tx.putJson(keys.meta(), meta))
    this.metaRecord = meta
  }

  /** Commits a rotation: a new current prekey (if any) and the deletion of expired ones. */
  async rotate(created: SignedPrekey | null, deleted: number[]): Promise<void> {
    const meta = created ? { ...this.metaRecord, prekeyId: created.id } : this.metaRecord
    await this.store.write((tx) => {
      if (created) {
        tx.put(keys.prekey(created.id), encodeSignedPrekey(created))
        tx.putJson(keys.meta(), meta)
      }
      for (const id of deleted) tx.del(keys.prekey(id))
    })
    this.metaRecord = meta
    if (created) this.prekeys.set(created.id, created)
    for (const id of deleted) this.prekeys.delete(id)
  }

  bundle(): Buffer {
    const prekey = this.prekeys.get(this.metaRecord.prekeyId)
    if (!prekey) throw new CairnError('corrupt-profile', 'my current prekey is missing')
    return encodeBundle(bundleOf(this.identity, prekey))
  }

  request(): RequestFrame {
    return { name: this.metaRecord.name, bundle: this.bundle() }
  }
}

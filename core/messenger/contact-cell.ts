// The one in-memory copy of a contact's durable record, changed only through the store's write
// queue so that the copy and the disk never disagree.
import { keys, type Store, type Tx } from '../store'
import type { ContactRecord } from './records'

export class ContactCell {
  constructor(
    private readonly store: Store,
    private readonly tag: Buffer,
    public rec: ContactRecord,
    /** Called when a commit fails: sessions advanced in memory must reload from the last committed state. */
    private readonly aborted: () => void
  ) {}

  /**
   * Changes the record inside the store's write queue, from its state at that moment, so
   * concurrent updates (a receipt, a hello, a decrypted block) never overwrite each other.
   * The patch function returns null to leave the record as it is.
   */
  async update(patch: (rec: ContactRecord) => Partial<ContactRecord> | null): Promise<void> {
    await this.store.write(
      (tx) => {
        const change = patch(this.rec)
        // A change that changes nothing is not written: peers repeat frames, and every write stays on disk until the store epoch ends.
        if (!change || Object.entries(change).every(([k, v]) => sameValue(this.rec[k as keyof ContactRecord], v))) return this.rec
        const rec = { ...this.rec, ...change }
        tx.putJson(keys.contact(this.tag), rec)
        return rec
      },
      (rec) => (this.rec = rec)
    )
  }

  /** Runs a store write on a draft of the record (which may advance ratchet sessions in memory). */
  async commit<T>(fn: (rec: ContactRecord, tx: Tx) => Promise<T>): Promise<T> {
    try {
      const { result } = await this.store.write(
        async (tx) => {
          const rec = { ...this.rec, sessions: [...this.rec.sessions] }
          return { rec, result: await fn(rec, tx) }
        },
        ({ rec }) => (this.rec = rec)
      )
      return result
    } catch (err) {
      this.aborted()
      throw err
    }
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b)
}

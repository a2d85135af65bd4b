// The one in-memory copy of a contact's durable record, changed only through the store's write
// queue so that the copy and the disk never disagree.
import { keys, type Store, type Tx } from '../store'
import type { ContactRecord } from './records'

export class ContactCell {
  /**
   * The record as of the last write known durable. `rec` runs ahead of it while a write is staged
   * in a batch not yet flushed (a catch-up step of up to 512 messages): what the user is shown
   * (unread counts, the last message) comes from here, so it never counts a message that history
   * cannot show yet, or that a crash at that instant would lose.
   */
  private committed: { rec: ContactRecord; version: number }
  private staged = 0

  constructor(
    private readonly store: Store,
    private readonly tag: Buffer,
    public rec: ContactRecord,
    /** Called when a commit fails: sessions advanced in memory must reload from the last committed state. */
    private readonly aborted: () => void
  ) {
    this.committed = { rec, version: 0 }
  }

  get durable(): ContactRecord {
    return this.committed.rec
  }

  /**
   * Changes the record inside the store's write queue, from its state at that moment, so
   * concurrent updates (a receipt, a hello, a decrypted block) never overwrite each other.
   * The patch function returns null to leave the record as it is.
   */
  async update(patch: (rec: ContactRecord) => Partial<ContactRecord> | null): Promise<void> {
    const staged = await this.store.write(
      (tx) => {
        const change = patch(this.rec)
        // A change that changes nothing is not written: peers repeat frames, and every write stays on disk until the store epoch ends.
        if (!change || Object.entries(change).every(([k, v]) => sameValue(this.rec[k as keyof ContactRecord], v))) return this.stage(this.rec)
        const rec = { ...this.rec, ...change }
        tx.putJson(keys.contact(this.tag), rec)
        return this.stage(rec)
      },
      ({ rec }) => (this.rec = rec)
    )
    this.settle(staged)
  }

  /** Runs a store write on a draft of the record (which may advance ratchet sessions in memory). */
  async commit<T>(fn: (rec: ContactRecord, tx: Tx) => Promise<T>): Promise<T> {
    try {
      const { staged, result } = await this.store.write(
        async (tx) => {
          const rec = { ...this.rec, sessions: [...this.rec.sessions] }
          return { staged: this.stage(rec), result: await fn(rec, tx) }
        },
        ({ staged }) => (this.rec = staged.rec)
      )
      this.settle(staged)
      return result
    } catch (err) {
      this.aborted()
      throw err
    }
  }

  private stage(rec: ContactRecord): { rec: ContactRecord; version: number } {
    return { rec, version: ++this.staged }
  }

  /** Writes resolve in the order they were staged; a later one already settled is never undone. */
  private settle(staged: { rec: ContactRecord; version: number }): void {
    if (staged.version > this.committed.version) this.committed = staged
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b)
}

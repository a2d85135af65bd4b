// Sends to one contact that wait together become one step of the store's write queue: one draft of
// the contact record, one save of the session and of the record, one envelope append for all of
// them, instead of one each. That per-send overhead, not the crypto, is what bounded a burst.

interface Entry<I, O> {
  item: I
  resolve(result: O): void
  reject(err: unknown): void
}

/**
 * Gathers items into batches. A batch is open from its first item until its run takes it (`take`,
 * called inside the run's store step): items submitted meanwhile join it, so a batch holds what
 * waited, in submission order, and never more than `max` (the rest opens the next batch at once).
 * Each item's promise settles with its own result: an Error in the results rejects that item only;
 * a run that throws rejects all it took.
 */
export class Batcher<I, O> {
  private open: Entry<I, O>[] | null = null

  constructor(
    private readonly max: number,
    private readonly run: (take: () => I[]) => Promise<Array<O | Error>>
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      if (this.open === null) this.start((this.open = []))
      this.open.push({ item, resolve, reject })
    })
  }

  private start(entries: Entry<I, O>[]): void {
    let taken: Entry<I, O>[] | null = null
    const take = (): I[] => {
      if (this.open === entries) this.open = null
      taken = entries.splice(0, this.max)
      if (entries.length > 0) this.start((this.open = entries))
      return taken.map((e) => e.item)
    }
    this.run(take).then(
      (results) => {
        if (taken === null) return this.fail(entries, new Error('a batch run ended without taking its batch'))
        taken.forEach((e, i) => {
          const result = results[i]
          if (result instanceof Error) e.reject(result)
          else e.resolve(result)
        })
      },
      (err: unknown) => {
        if (taken === null) this.fail(entries, err)
        else for (const e of taken) e.reject(err)
      }
    )
  }

  /** A run that failed before taking its batch (the store is closed) fails every item that waited for it. */
  private fail(entries: Entry<I, O>[], err: unknown): void {
    if (this.open === entries) this.open = null
    for (const e of entries.splice(0)) e.reject(err)
  }
}

// A range read of the store while journals wait to be applied (journal.ts): the Hyperbee's entries
// and the journals' writes in the range, merged in key order, a journal's write taking the place of
// the entry under the same key and a journal's delete hiding it.
import type { RangeEntry } from './index'

/** `stored` and `journaled` both in the read's order; `journaled` as [hex key, value or null]. */
export async function* mergeRange(
  stored: AsyncIterable<RangeEntry>,
  journaled: [string, Buffer | null][],
  reverse: boolean,
  limit: number
): AsyncGenerator<RangeEntry> {
  let given = 0
  let next = 0
  const before = (a: string, b: string) => (reverse ? a > b : a < b)
  for await (const entry of stored) {
    const hex = entry.key.toString('hex')
    for (; next < journaled.length && before(journaled[next][0], hex); next++) {
      const [key, value] = journaled[next]
      if (value === null) continue
      if (given++ >= limit) return
      yield { key: Buffer.from(key, 'hex'), value }
    }
    const value = next < journaled.length && journaled[next][0] === hex ? journaled[next++][1] : entry.value
    if (value === null) continue
    if (given++ >= limit) return
    yield { key: entry.key, value }
  }
  for (; next < journaled.length; next++) {
    const [key, value] = journaled[next]
    if (value === null) continue
    if (given++ >= limit) return
    yield { key: Buffer.from(key, 'hex'), value }
  }
}

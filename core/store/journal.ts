// The store's journal: how a burst of writes becomes durable in one block. Hyperbee writes one block
// per key, each a walk down the tree, which caps a burst of sends at a few thousand a second; so a
// big group of writes is committed as one journal entry (all its keys and values, sealed like any
// value) and applied to its keys later, once writes pause (quiet.ts). Until then they live here, in
// memory, and every read of the store looks here first. Applying a journal puts its keys and deletes
// its entry in one Hyperbee batch, so a crash at any point leaves each journal either applied or
// still stored, and an open applies what it finds: nothing acknowledged is lost, nothing is torn.
import { CairnError } from '../api/errors'

const VERSION = 1
const PUT = 1
const DEL = 0

/** A group's writes by hex key: a value, or null for a delete. */
export type Writes = Map<string, Buffer | null>

/** Version byte, then per write: key length (u16), key, put or delete (u8), and for a put the value length (u32) and value. */
export function encodeJournal(writes: Writes): Buffer {
  const parts: Buffer[] = [Buffer.from([VERSION])]
  for (const [hex, value] of writes) {
    const key = Buffer.from(hex, 'hex')
    const head = Buffer.alloc(value === null ? 3 : 7)
    head.writeUInt16BE(key.length, 0)
    head[2] = value === null ? DEL : PUT
    if (value !== null) head.writeUInt32BE(value.length, 3)
    parts.push(head, key)
    if (value !== null) parts.push(value)
  }
  return Buffer.concat(parts)
}

export function decodeJournal(bytes: Buffer): Writes {
  const bad = () => new CairnError('corrupt-profile', 'a journal entry of the store is malformed')
  if (bytes[0] !== VERSION) throw bad()
  const writes: Writes = new Map()
  let at = 1
  while (at < bytes.length) {
    if (at + 3 > bytes.length) throw bad()
    const keyLength = bytes.readUInt16BE(at)
    const kind = bytes[at + 2]
    if (kind !== PUT && kind !== DEL) throw bad()
    const valueLength = kind === PUT && at + 7 <= bytes.length ? bytes.readUInt32BE(at + 3) : 0
    at += kind === PUT ? 7 : 3
    const end = at + keyLength + valueLength
    if (end > bytes.length) throw bad()
    const hex = bytes.subarray(at, at + keyLength).toString('hex')
    writes.set(hex, kind === PUT ? Buffer.from(bytes.subarray(at + keyLength, end)) : null)
    at = end
  }
  return writes
}

/** The journals committed but not yet applied, oldest first, and what they say each key now holds. */
export class Overlay {
  private readonly journals: { index: number; writes: Writes }[] = []
  private readonly latest = new Map<string, { value: Buffer | null; journal: number }>()

  get empty(): boolean {
    return this.journals.length === 0
  }

  /** Keys held here: the memory the journals take until they are applied. */
  get size(): number {
    return this.latest.size
  }

  add(index: number, writes: Writes): void {
    this.journals.push({ index, writes })
    for (const [hex, value] of writes) this.latest.set(hex, { value, journal: index })
  }

  /** The value a journal gives the key (null: deleted), or undefined when no journal touches it. */
  lookup(hex: string): Buffer | null | undefined {
    return this.latest.get(hex)?.value
  }

  /** The keys in [gte, lt) that journals touch, in key order (hex order is byte order). */
  within(gte: string, lt: string): [string, Buffer | null][] {
    const out: [string, Buffer | null][] = []
    for (const [hex, { value }] of this.latest) if (hex >= gte && hex < lt) out.push([hex, value])
    return out.sort(([a], [b]) => (a < b ? -1 : 1))
  }

  /** Every key the journals touch, in key order: what they make of the store, all of them applied. */
  all(): [string, Buffer | null][] {
    return this.within('', 'g')
  }

  /** Forgets every journal (their writes are now entries of the store's new core). */
  clear(): void {
    this.journals.splice(0)
    this.latest.clear()
  }

  /** The oldest journals, up to about `maxKeys` writes (at least one journal), merged in order. */
  oldest(maxKeys: number): { indexes: number[]; writes: Writes } {
    const indexes: number[] = []
    const writes: Writes = new Map()
    for (const journal of this.journals) {
      if (indexes.length > 0 && writes.size + journal.writes.size > maxKeys) break
      indexes.push(journal.index)
      for (const [hex, value] of journal.writes) writes.set(hex, value)
    }
    return { indexes, writes }
  }

  /** Forgets applied journals; a key a later journal wrote keeps that journal's value. */
  applied(indexes: number[], writes: Writes): void {
    const last = indexes[indexes.length - 1]
    this.journals.splice(0, indexes.length)
    for (const hex of writes.keys()) if ((this.latest.get(hex)?.journal ?? Infinity) <= last) this.latest.delete(hex)
  }
}

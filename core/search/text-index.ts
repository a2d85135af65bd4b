// The full-text index over one profile's decrypted history (MiniSearch), kept only in memory: it
// is rebuilt at unlock and dropped at lock, so none of it reaches the disk, and a deleted message
// leaves it at once (removed with its own text, so no word of it lingers in the index's maps).
//
// Each conversation's messages are split into shards of consecutive messages. A query walks the
// shards newest first and stops as soon as no older shard can hold one of the newest `limit`
// hits: a word found in half of 100,000 messages then costs one or two shards, not the ranking of
// 50,000 matches that a single index spends on it (measured: ~600 ms; see bench/search.bench.ts).
import MiniSearch, { type SearchOptions } from 'minisearch'
import { highlight, type Highlighted } from './snippet'

export interface IndexedMessage {
  contact: string
  id: string
  direction: 'in' | 'out'
  sentAt: number
  /** Where the message stands in time on this device: hits come newest first by this. */
  at: number
  text: string
}

export interface IndexHit extends Highlighted {
  message: IndexedMessage
}

/** Messages per shard: small enough that one common word costs a few milliseconds in it. */
const SHARD_SIZE = 2048
/** Words of a query beyond these are ignored: they would only narrow an AND further. */
const MAX_QUERY_TERMS = 16

/** Case and accents do not matter: "Café" is found by "cafe". */
export function normalizeTerm(term: string): string | null {
  const t = term.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase()
  return t === '' ? null : t
}

interface Doc {
  id: string
  text: string
}

class Shard {
  readonly mini = new MiniSearch<Doc>({ fields: ['text'], storeFields: [], processTerm: normalizeTerm })
  readonly docs = new Map<string, IndexedMessage>()
  /** An upper bound of `at` over the shard's messages (it never goes down when one leaves). */
  newest = -Infinity
  /** Messages ever added: a shard once full stays closed, so shards keep their order in time. */
  added = 0

  constructor(readonly contact: string) {}

  add(m: IndexedMessage): void {
    this.mini.add({ id: m.id, text: m.text })
    this.docs.set(m.id, m)
    this.newest = Math.max(this.newest, m.at)
    this.added++
  }

  remove(id: string): void {
    const m = this.docs.get(id)
    if (!m) return
    this.mini.remove({ id, text: m.text })
    this.docs.delete(id)
  }
}

export class TextIndex {
  private readonly shards = new Map<string, Shard[]>()
  private readonly shardOf = new Map<string, Shard>()

  get size(): number {
    return this.shardOf.size
  }

  /** Adds a message, or replaces its text (an edit). */
  put(m: IndexedMessage): void {
    const existing = this.shardOf.get(m.id)
    if (existing) {
      existing.remove(m.id)
      existing.add(m)
      return
    }
    const list = this.shards.get(m.contact) ?? []
    this.shards.set(m.contact, list)
    let shard = list[list.length - 1]
    if (!shard || shard.added >= SHARD_SIZE) {
      shard = new Shard(m.contact)
      list.push(shard)
    }
    shard.add(m)
    this.shardOf.set(m.id, shard)
  }

  remove(id: string): void {
    const shard = this.shardOf.get(id)
    if (!shard) return
    shard.remove(id)
    this.shardOf.delete(id)
    if (shard.docs.size === 0) {
      const list = this.shards.get(shard.contact) ?? []
      const rest = list.filter((s) => s !== shard)
      if (rest.length > 0) this.shards.set(shard.contact, rest)
      else this.shards.delete(shard.contact)
    }
  }

  removeContact(contact: string): void {
    for (const shard of this.shards.get(contact) ?? []) for (const id of shard.docs.keys()) this.shardOf.delete(id)
    this.shards.delete(contact)
  }

  /**
   * The newest `limit` messages that hold every word of `text` (the last one also as the start of
   * a word, since it may still be being typed), in one conversation or all; newest first.
   */
  query(text: string, limit: number, contact?: string): IndexHit[] {
    const words = MiniSearch.getDefault('tokenize')(text)
      .map((w: string) => normalizeTerm(w))
      .filter((t: string | null): t is string => t !== null)
      .slice(0, MAX_QUERY_TERMS)
    if (words.length === 0) return []
    const options: SearchOptions = { combineWith: 'AND', prefix: (_term, i, terms) => i === terms.length - 1 }
    const shards = contact === undefined ? [...this.shards.values()].flat() : (this.shards.get(contact) ?? [])
    shards.sort((a, b) => b.newest - a.newest)
    let found: { message: IndexedMessage; terms: string[] }[] = []
    for (const shard of shards) {
      if (found.length >= limit && shard.newest <= found[limit - 1].message.at) break
      for (const r of shard.mini.search(words.join(' '), options)) {
        const message = shard.docs.get(String(r.id))
        if (message) found.push({ message, terms: r.terms })
      }
      found.sort((a, b) => b.message.at - a.message.at)
      found = found.slice(0, limit)
    }
    return found.map(({ message, terms }) => ({ message, ...highlight(message.text, terms) }))
  }
}

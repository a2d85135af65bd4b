// The full-text index over one profile's decrypted history (MiniSearch), kept only in memory: it
// is rebuilt at unlock and dropped at lock, so none of it reaches the disk, and a deleted message
// leaves it at once (removed with its own text, so no word of it lingers in the index's maps).
//
// Messages are split into shards of consecutive messages in time, across conversations. A query
// walks the shards newest first and stops as soon as no older shard can hold one of the newest
// `limit` hits: a word found in half of 100,000 messages then costs one shard, not the ranking of
// 50,000 matches that a single index spends on it (see bench/search.bench.ts). A search in one
// conversation skips the shards that hold none of its messages.
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
  /** Messages of each conversation in the shard. */
  readonly contacts = new Map<string, number>()
  /** An upper bound of `at` over the shard's messages (it never goes down when one leaves). */
  newest = -Infinity
  /** Messages ever added: a shard once full stays closed, so shards keep their order in time. */
  added = 0

  add(m: IndexedMessage): void {
    this.mini.add({ id: m.id, text: m.text })
    this.docs.set(m.id, m)
    this.contacts.set(m.contact, (this.contacts.get(m.contact) ?? 0) + 1)
    this.newest = Math.max(this.newest, m.at)
    this.added++
  }

  remove(id: string): void {
    const m = this.docs.get(id)
    if (!m) return
    this.mini.remove({ id, text: m.text })
    this.docs.delete(id)
    const left = (this.contacts.get(m.contact) ?? 1) - 1
    if (left > 0) this.contacts.set(m.contact, left)
    else this.contacts.delete(m.contact)
  }
}

/** Messages are best put oldest first (see TextIndex.putAll): shards then follow time. */
export class TextIndex {
  /** Oldest first. */
  private shards: Shard[] = []
  private readonly shardOf = new Map<string, Shard>()
  private readonly idsOf = new Map<string, Set<string>>()

  get size(): number {
    return this.shardOf.size
  }

  /** Adds many messages, in time order whatever order they come in. */
  putAll(messages: IndexedMessage[]): void {
    for (const m of [...messages].sort((a, b) => a.at - b.at)) this.put(m)
  }

  /** Adds a message, or replaces its text (an edit). */
  put(m: IndexedMessage): void {
    const existing = this.shardOf.get(m.id)
    if (existing) {
      existing.remove(m.id)
      existing.add(m)
      return
    }
    let shard = this.shards[this.shards.length - 1]
    if (!shard || shard.added >= SHARD_SIZE) {
      shard = new Shard()
      this.shards.push(shard)
    }
    shard.add(m)
    this.shardOf.set(m.id, shard)
    const ids = this.idsOf.get(m.contact) ?? new Set()
    this.idsOf.set(m.contact, ids.add(m.id))
  }

  remove(id: string): void {
    const shard = this.shardOf.get(id)
    const m = shard?.docs.get(id)
    if (!shard || !m) return
    shard.remove(id)
    this.shardOf.delete(id)
    const ids = this.idsOf.get(m.contact)
    ids?.delete(id)
    if (ids?.size === 0) this.idsOf.delete(m.contact)
    if (shard.docs.size === 0) this.shards = this.shards.filter((s) => s !== shard)
  }

  removeContact(contact: string): void {
    for (const id of [...(this.idsOf.get(contact) ?? [])]) this.remove(id)
  }

  /**
   * The newest `limit` messages that hold every word of `text`, each also as the start of a word
   * ("lightho map" finds "lighthouse map"; a lone letter only as the last word, the one being
   * typed), in one conversation or all; newest first.
   */
  query(text: string, limit: number, contact?: string): IndexHit[] {
    const words = MiniSearch.getDefault('tokenize')(text)
      .map((w: string) => normalizeTerm(w))
      .filter((t: string | null): t is string => t !== null)
      .slice(0, MAX_QUERY_TERMS)
    if (words.length === 0) return []
    const options: SearchOptions = { combineWith: 'AND', prefix: (term, i, terms) => i === terms.length - 1 || term.length >= 2 }
    const shards = this.shards.filter((s) => contact === undefined || s.contacts.has(contact)).sort((a, b) => b.newest - a.newest)
    let found: { message: IndexedMessage; terms: string[] }[] = []
    for (const shard of shards) {
      if (found.length >= limit && shard.newest <= found[limit - 1].message.at) break
      const inShard = contact === undefined ? options : { ...options, filter: (r: { id: unknown }) => shard.docs.get(String(r.id))?.contact === contact }
      for (const r of shard.mini.search(words.join(' '), inShard)) {
        const message = shard.docs.get(String(r.id))
        if (message) found.push({ message, terms: r.terms })
      }
      found.sort((a, b) => b.message.at - a.message.at)
      found = found.slice(0, limit)
    }
    return found.map(({ message, terms }) => ({ message, ...highlight(message.text, terms) }))
  }
}

// The full-text index over one profile's decrypted history, kept only in memory: it is rebuilt at
// unlock and dropped at lock, so none of it reaches the disk, and a deleted message leaves it at
// once (its words leave the postings, its text the shard's columns).
//
// Messages are split into shards of consecutive messages in time, across conversations. A query
// walks the shards newest first and stops as soon as no older shard can hold one of the newest
// `limit` hits: a word found in half of 100,000 messages then costs one shard, not the sorting of
// 50,000 matches (see bench/search.bench.ts). A search in one conversation skips the shards that
// hold none of its messages. Hits come newest first; there is no relevance ranking.
import { normalizeTerm, type QueryWord, Shard, termsOf } from './shard'
import { highlight, type Highlighted } from './snippet'

export { normalizeTerm }

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

/** The words of a query: each also as the start of a word, a lone letter only as the last word (the one being typed). */
function queryWords(text: string): QueryWord[] {
  const terms = termsOf(text).slice(0, MAX_QUERY_TERMS)
  return terms.map((term, i) => ({ term, prefix: i === terms.length - 1 || term.length >= 2 }))
}

/** Messages are best put oldest first (see TextIndex.putAll): shards then follow time. */
export class TextIndex {
  /** Oldest first. */
  private shards: Shard[] = []
  private readonly shardOf = new Map<string, Shard>()
  /** Contacts by number: a shard keeps a number per message, not the contact's id. */
  private readonly contactIds: string[] = []
  private readonly contactNumbers = new Map<string, number>()

  get size(): number {
    return this.shardOf.size
  }

  /** Adds many messages, in time order whatever order they come in. */
  putAll(messages: IndexedMessage[]): void {
    for (const m of [...messages].sort((a, b) => a.at - b.at)) this.put(m)
  }

  /** Adds a message, or replaces its text (an edit). */
  put(m: IndexedMessage): void {
    const entry = { id: m.id, contact: this.contactNumber(m.contact), out: m.direction === 'out', sentAt: m.sentAt, at: m.at, text: m.text }
    const existing = this.shardOf.get(m.id)
    if (existing) {
      existing.remove(m.id)
      existing.add(entry)
      return
    }
    let shard = this.shards[this.shards.length - 1]
    if (!shard || shard.added >= SHARD_SIZE) {
      shard?.pack()
      shard = new Shard()
      this.shards.push(shard)
    }
    shard.add(entry)
    this.shardOf.set(m.id, shard)
  }

  remove(id: string): void {
    const shard = this.shardOf.get(id)
    if (!shard?.remove(id)) return
    this.shardOf.delete(id)
    if (shard.live === 0) this.shards = this.shards.filter((s) => s !== shard)
  }

  removeContact(contact: string): void {
    const n = this.contactNumbers.get(contact)
    if (n === undefined) return
    for (const shard of this.shards.filter((s) => s.contacts.has(n))) for (const id of shard.idsOfContact(n)) this.remove(id)
  }

  /**
   * The newest `limit` messages that hold every word of `text`, each also as the start of a word
   * ("lightho map" finds "lighthouse map"; a lone letter only as the last word, the one being
   * typed), in one conversation or all; newest first.
   */
  query(text: string, limit: number, contact?: string): IndexHit[] {
    const words = queryWords(text)
    if (words.length === 0) return []
    const n = contact === undefined ? undefined : this.contactNumbers.get(contact)
    if (contact !== undefined && n === undefined) return []
    const shards = this.shards.filter((s) => n === undefined || s.contacts.has(n)).sort((a, b) => b.newest - a.newest)
    let found: { message: IndexedMessage; terms: string[] }[] = []
    for (const shard of shards) {
      if (found.length >= limit && shard.newest <= found[limit - 1].message.at) break
      for (const [slot, terms] of shard.match(words, n)) found.push({ message: this.message(shard, slot), terms })
      found.sort((a, b) => b.message.at - a.message.at)
      found = found.slice(0, limit)
    }
    return found.map(({ message, terms }) => ({ message, ...highlight(message.text, terms) }))
  }

  private message(shard: Shard, slot: number): IndexedMessage {
    const e = shard.entry(slot)
    return { contact: this.contactIds[e.contact], id: e.id, direction: e.out ? 'out' : 'in', sentAt: e.sentAt, at: e.at, text: e.text }
  }

  private contactNumber(contact: string): number {
    let n = this.contactNumbers.get(contact)
    if (n === undefined) {
      n = this.contactIds.push(contact) - 1
      this.contactNumbers.set(contact, n)
    }
    return n
  }
}

// One shard of the search index: up to a few thousand messages consecutive in time, kept in
// columns (no object per message) with an inverted index from each word to the messages that hold
// it. While a shard takes messages its postings are a Map of arrays; once it is closed, or
// before it is queried, they are packed into one sorted word list and one typed array of
// postings, which costs a few bytes per (word, message) pair instead of MiniSearch's maps per
// word and per document (100,000 messages took ~130 MB of heap in MiniSearch shards; see
// bench/search.bench.ts for the figure now). A removed message's words leave the postings at
// once, and its text and id are dropped from the columns.

/** MiniSearch's default tokenizer, which the snippet's word pattern mirrors: spaces and punctuation split words. */
const SPLIT = /[\n\r\p{Z}\p{P}]+/u

/** Case and accents do not matter: "Café" is found by "cafe". */
export function normalizeTerm(term: string): string | null {
  const t = term.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase()
  return t === '' ? null : t
}

/** The distinct normalised words of a text. */
export function termsOf(text: string): string[] {
  const terms = new Set<string>()
  for (const word of text.split(SPLIT)) {
    const t = normalizeTerm(word)
    if (t !== null) terms.add(t)
  }
  return [...terms]
}

/** One message as a shard keeps it; `contact` is a number from the index's table of contacts. */
export interface ShardEntry {
  id: string
  contact: number
  out: boolean
  sentAt: number
  at: number
  text: string
}

/** A word of a query: matched exactly, or also as the start of longer words. */
export interface QueryWord {
  term: string
  prefix: boolean
}

interface Packed {
  /** Sorted. */
  terms: string[]
  /** Postings of terms[i] are postings[offsets[i] .. offsets[i + 1]). */
  offsets: Uint32Array
  postings: Uint16Array | Uint32Array
}

function lowerBound(terms: string[], term: string): number {
  let lo = 0
  let hi = terms.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (terms[mid] < term) lo = mid + 1
    else hi = mid
  }
  return lo
}

export class Shard {
  private readonly ids: string[] = []
  private readonly texts: string[] = []
  private readonly contactOf: number[] = []
  private readonly outs: boolean[] = []
  private readonly sentAts: number[] = []
  private readonly ats: number[] = []
  private open: Map<string, number[]> | null = new Map()
  private packed: Packed | null = null
  /** Messages of each conversation in the shard. */
  readonly contacts = new Map<number, number>()
  /** An upper bound of `at` over the shard's messages (it never goes down when one leaves). */
  newest = -Infinity
  live = 0

  /** Slots ever taken: a shard once full stays closed, so shards keep their order in time. */
  get added(): number {
    return this.ids.length
  }

  add(e: ShardEntry): void {
    const slot = this.ids.length
    const postings = this.unpack()
    for (const t of termsOf(e.text)) {
      const list = postings.get(t)
      if (list) list.push(slot)
      else postings.set(t, [slot])
    }
    this.ids.push(e.id)
    this.texts.push(e.text)
    this.contactOf.push(e.contact)
    this.outs.push(e.out)
    this.sentAts.push(e.sentAt)
    this.ats.push(e.at)
    this.contacts.set(e.contact, (this.contacts.get(e.contact) ?? 0) + 1)
    this.newest = Math.max(this.newest, e.at)
    this.live++
  }

  /** Takes the message out, its words from the postings and its text from the columns. */
  remove(id: string): boolean {
    const slot = this.ids.indexOf(id)
    if (slot < 0) return false
    const postings = this.unpack()
    for (const t of termsOf(this.texts[slot])) {
      const list = postings.get(t)!.filter((s) => s !== slot)
      if (list.length > 0) postings.set(t, list)
      else postings.delete(t)
    }
    const contact = this.contactOf[slot]
    const left = (this.contacts.get(contact) ?? 1) - 1
    if (left > 0) this.contacts.set(contact, left)
    else this.contacts.delete(contact)
    this.ids[slot] = ''
    this.texts[slot] = ''
    this.live--
    return true
  }

  /** Ids of the shard's messages in `contact`. */
  idsOfContact(contact: number): string[] {
    return this.ids.filter((id, slot) => id !== '' && this.contactOf[slot] === contact)
  }

  entry(slot: number): ShardEntry {
    return { id: this.ids[slot], contact: this.contactOf[slot], out: this.outs[slot], sentAt: this.sentAts[slot], at: this.ats[slot], text: this.texts[slot] }
  }

  /** Slots holding every word (each as itself or, for a prefix word, the start of a word), with the words they matched. */
  match(words: QueryWord[], contact?: number): Map<number, string[]> {
    const { terms, offsets, postings } = this.pack()
    let found: Map<number, string[]> | null = null
    for (const w of words) {
      const here = new Map<number, string[]>()
      for (let i = lowerBound(terms, w.term); i < terms.length && (terms[i] === w.term || (w.prefix && terms[i].startsWith(w.term))); i++) {
        for (let p = offsets[i]; p < offsets[i + 1]; p++) {
          const slot = postings[p]
          if (found !== null && !found.has(slot)) continue
          if (contact !== undefined && this.contactOf[slot] !== contact) continue
          const matched = here.get(slot) ?? (found?.get(slot) ? [...found.get(slot)!] : [])
          matched.push(terms[i])
          here.set(slot, matched)
        }
      }
      found = here
      if (found.size === 0) break
    }
    return found ?? new Map()
  }

  /** Packs the postings (done when the shard closes and before a query). */
  pack(): Packed {
    if (this.packed) return this.packed
    const open = this.open!
    const terms = [...open.keys()].sort()
    const offsets = new Uint32Array(terms.length + 1)
    let total = 0
    for (let i = 0; i < terms.length; i++) {
      offsets[i] = total
      total += open.get(terms[i])!.length
    }
    offsets[terms.length] = total
    const postings = this.ids.length > 0xffff ? new Uint32Array(total) : new Uint16Array(total)
    for (let i = 0; i < terms.length; i++) postings.set(open.get(terms[i])!, offsets[i])
    this.packed = { terms, offsets, postings }
    this.open = null
    return this.packed
  }

  private unpack(): Map<string, number[]> {
    if (this.open) return this.open
    const { terms, offsets, postings } = this.packed!
    this.open = new Map(terms.map((t, i) => [t, Array.from(postings.subarray(offsets[i], offsets[i + 1]))]))
    this.packed = null
    return this.open
  }
}

// Search over an open profile's history: the index is built from the store in the background
// after unlock and kept current from the profile's own events (a message stored, edited or
// deleted, a conversation cleared, a contact removed). Events that arrive while it is being built
// wait and are applied after it, so an older read of the store never overrides a newer change.
import type { EventEmitter } from 'node:events'
import { CairnError } from '../api/errors'
import type { CairnEvent, ContactId, Message, SearchHit, SearchQuery } from '../api/types'
import { type IndexedMessage, TextIndex } from './text-index'

const DEFAULT_LIMIT = 50

/** What of a message is searched: its text, or a file's caption and name. */
export function indexedMessage(m: Message): IndexedMessage {
  const text = m.file ? [m.text, m.file.name].filter((s) => s !== '').join('\n') : m.text
  return { contact: m.contact, id: m.id, direction: m.direction, sentAt: m.sentAt, at: m.receivedAt, text }
}

const indexable = (m: Message) => m.text.trim() !== '' || m.file !== undefined

export class MessageSearch {
  private readonly index = new TextIndex()
  private waiting: CairnEvent[] | null = []
  private failure: string | null = null
  private readonly built: Promise<void>
  private markBuilt!: () => void

  /**
   * Follows the profile's events from now on. `requireContact` throws the profile's own error for a
   * contact it does not have.
   */
  constructor(events: EventEmitter, private readonly requireContact: (contact: ContactId) => unknown) {
    this.built = new Promise((resolve) => (this.markBuilt = resolve))
    events.on('event', (e: CairnEvent) => this.apply(e))
  }

  /** Messages in the index. */
  get size(): number {
    return this.index.size
  }

  /** Settles once the index holds the whole history read at unlock. */
  ready(): Promise<void> {
    return this.built
  }

  /** Indexes every stored message, then the changes that came meanwhile. Never rejects. */
  async build(history: AsyncIterable<Message>): Promise<void> {
    try {
      const read: IndexedMessage[] = []
      for await (const m of history) if (indexable(m)) read.push(indexedMessage(m))
      this.index.putAll(read)
    } catch (err) {
      this.failure = err instanceof Error ? err.message : String(err)
    }
    const waiting = this.waiting ?? []
    this.waiting = null
    for (const e of waiting) this.apply(e)
    this.markBuilt()
  }

  apply(e: CairnEvent): void {
    if (this.waiting) {
      if (e.type === 'message' || e.type === 'messages-deleted' || e.type === 'contact-removed') this.waiting.push(e)
      return
    }
    if (e.type === 'message') this.put(e.message)
    else if (e.type === 'messages-deleted') {
      if (e.ids === 'all') this.index.removeContact(e.contact)
      else for (const id of e.ids) this.index.remove(id)
    } else if (e.type === 'contact-removed') this.index.removeContact(e.id)
  }

  async search(text: string, query: SearchQuery = {}): Promise<SearchHit[]> {
    if (query.contact !== undefined) this.requireContact(query.contact)
    await this.built
    if (this.failure !== null) throw new CairnError('internal', `the search index could not be built: ${this.failure}`)
    return this.index.query(text, query.limit ?? DEFAULT_LIMIT, query.contact).map(({ message, snippet, highlights }) => ({
      contact: message.contact,
      message: message.id,
      direction: message.direction,
      sentAt: message.sentAt,
      snippet,
      highlights
    }))
  }

  private put(m: Message): void {
    if (indexable(m)) this.index.put(indexedMessage(m))
    else this.index.remove(m.id)
  }
}

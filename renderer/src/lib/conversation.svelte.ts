import type { CairnApi, ContactId, FileProgress, Message, MessageState } from '../../../core/api/types'

const FIRST_PAGE = 100
const OLDER_PAGE = 300
const STATE_ORDER: Record<MessageState, number> = { pending: 0, sent: 1, home: 2, delivered: 3, read: 4 }

/** One conversation's loaded history, oldest first, paged backwards through api.history. */
export class Conversation {
  messages = $state.raw<Message[]>([])
  loading = $state(false)
  hasOlder = $state(true)
  error = $state<string | null>(null)
  /** Transfers under way or failed, by message id. */
  progress = $state.raw<ReadonlyMap<string, FileProgress>>(new Map())
  #before: string | null = null
  #started = false
  /** The page being read, while one is. */
  #inflight: Promise<void> | null = null
  readonly #ids = new Set<string>()

  constructor(
    private readonly api: CairnApi,
    readonly contact: ContactId
  ) {}

  /** Loads the newest page once; later calls are no-ops. */
  async start(): Promise<void> {
    if (this.#started) return
    this.#started = true
    await this.#page(FIRST_PAGE)
  }

  async loadOlder(): Promise<void> {
    if (!this.#started) return this.start()
    if (this.loading || !this.hasOlder) return
    await this.#page(OLDER_PAGE, this.#before ?? undefined)
  }

  /** Loads older pages until the message is loaded; false when the history holds no such message. */
  async reach(id: string): Promise<boolean> {
    await this.start()
    while (!this.#ids.has(id) && this.hasOlder && this.error === null) {
      if (this.#inflight) await this.#inflight
      else await this.#page(OLDER_PAGE, this.#before ?? undefined)
    }
    return this.#ids.has(id)
  }

  /**
   * Re-reads the newest page after a reconnection. Older pages already shown are kept when the
   * newest page reaches back into them; otherwise the gap cannot be seen, so the newest page
   * replaces them.
   */
  async refresh(): Promise<void> {
    if (!this.#started) return
    const page = await this.api.history(this.contact, { limit: FIRST_PAGE })
    const fresh = page.messages.slice().reverse()
    const joinAt = fresh.length > 0 ? this.messages.findIndex((m) => m.id === fresh[0].id) : -1
    if (joinAt === -1) {
      this.messages = fresh
      this.#before = page.before
      this.hasOlder = page.before !== null
    } else {
      this.messages = [...this.messages.slice(0, joinAt), ...fresh]
    }
    this.#ids.clear()
    for (const m of this.messages) this.#ids.add(m.id)
    this.error = null
  }

  #page(limit: number, before?: string): Promise<void> {
    const run = this.#load(limit, before).finally(() => (this.#inflight = null))
    this.#inflight = run
    return run
  }

  async #load(limit: number, before?: string): Promise<void> {
    this.loading = true
    this.error = null
    try {
      const page = await this.api.history(this.contact, before === undefined ? { limit } : { limit, before })
      const older = page.messages.filter((m) => !this.#ids.has(m.id)).reverse()
      for (const m of older) this.#ids.add(m.id)
      this.messages = [...older, ...this.messages]
      this.#before = page.before
      this.hasOlder = page.before !== null
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err)
      if (before === undefined) this.#started = false
    } finally {
      this.loading = false
    }
  }

  /** Drops deleted messages from view: the listed ids, or all of them. */
  remove(ids: string[] | 'all'): void {
    const gone = ids === 'all' ? null : new Set(ids)
    this.messages = gone ? this.messages.filter((m) => !gone.has(m.id)) : []
    for (const id of gone ?? [...this.#ids]) this.#ids.delete(id)
    if (!gone) this.hasOlder = false
  }

  /**
   * Adds a new message, or refreshes one already shown (the send result and its event may both
   * arrive; a reaction brings the message again as it now stands).
   */
  upsert(message: Message): void {
    if (this.#ids.has(message.id)) {
      this.messages = this.messages.map((m) => (m.id === message.id ? mergeState({ ...message, state: m.state }, message.state) : m))
      return
    }
    this.#ids.add(message.id)
    this.messages = [...this.messages, message]
  }

  /** A file's transfer moved on: its message shows the new state, and the bar the bytes. */
  applyProgress(p: FileProgress): void {
    const next = new Map(this.progress)
    const shown = p.state === 'downloading' || p.state === 'failed' || (p.state === 'sending' && p.bytes < p.size)
    if (shown) next.set(p.message, p)
    else next.delete(p.message)
    this.progress = next
    // my own file stays ready while the contact fetches it
    if (p.state === 'sending') return
    const state = p.state === 'cancelled' ? 'offered' : p.state
    this.messages = this.messages.map((m) => (m.id === p.message && m.file ? { ...m, file: { ...m.file, state } } : m))
  }

  setState(id: string, state: MessageState): void {
    if (!this.#ids.has(id)) return
    this.messages = this.messages.map((m) => (m.id === id ? mergeState(m, state) : m))
  }
}

/** States only move forward: an event overtaken by a later one must not roll the tick back. */
function mergeState(m: Message, state: MessageState): Message {
  return STATE_ORDER[state] > STATE_ORDER[m.state] ? { ...m, state } : m
}

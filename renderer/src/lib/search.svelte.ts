import type { CairnApi, ContactId, SearchHit } from '../../../core/api/types'
import { SEARCH_TEXT_MAX } from '../../../core/api/validate'

/** Keystrokes closer together than this make one search. */
const DEBOUNCE_MS = 120

/**
 * Search as you type, in every conversation or one: the newest answer to the newest text wins, and
 * an answer to text already replaced is dropped.
 */
export class LiveSearch {
  hits = $state.raw<SearchHit[]>([])
  /** The text the shown hits answer ('' when none are shown). */
  answered = $state('')
  busy = $state(false)
  error = $state<string | null>(null)
  #asked = 0
  #timer: ReturnType<typeof setTimeout> | null = null

  constructor(
    private readonly api: CairnApi,
    private readonly contact?: ContactId
  ) {}

  set(text: string): void {
    if (this.#timer) clearTimeout(this.#timer)
    const asked = ++this.#asked
    const query = text.trim().slice(0, SEARCH_TEXT_MAX)
    if (query === '') {
      this.hits = []
      this.answered = ''
      this.busy = false
      this.error = null
      return
    }
    this.busy = true
    this.#timer = setTimeout(() => void this.#run(query, asked), DEBOUNCE_MS)
  }

  async #run(query: string, asked: number): Promise<void> {
    try {
      const hits = await this.api.search(query, this.contact === undefined ? {} : { contact: this.contact })
      if (asked !== this.#asked) return
      this.hits = hits
      this.answered = query
      this.error = null
    } catch (err) {
      if (asked !== this.#asked) return
      this.error = err instanceof Error ? err.message : String(err)
    } finally {
      if (asked === this.#asked) this.busy = false
    }
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer)
    this.#asked++
  }
}

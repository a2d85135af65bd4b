// The search part of the contract: what a query asks and what a hit carries.
import type { ContactId } from './types'

export interface SearchQuery {
  /** Only this conversation; absent: every conversation. */
  contact?: ContactId
  /** At most this many hits (1..200, default 50). */
  limit?: number
}

/** A message that holds every word searched for, each also as the start of a word (a lone letter only when last). */
export interface SearchHit {
  contact: ContactId
  /** The message's id, as in history(). */
  message: string
  direction: 'in' | 'out'
  sentAt: number
  /** The text (and file name) around the first matched word, at most about 160 characters. */
  snippet: string
  /** [start, end) in `snippet` of each matched word. */
  highlights: [number, number][]
}

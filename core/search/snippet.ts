// What a search hit shows of its message: the part around the first matched word, and where each
// matched word sits in it, so a user interface can mark them without knowing how words are matched.
import { normalizeTerm } from './text-index'

/** Characters of text shown around the first match (a long message is cut to this). */
export const SNIPPET_CHARS = 160
const BEFORE_MATCH = 40

export interface Highlighted {
  snippet: string
  /** [start, end) in `snippet` (UTF-16 offsets) of each word that matched. */
  highlights: [number, number][]
}

// The words as the index cuts them (MiniSearch splits on spaces and punctuation).
const WORD = /[^\n\r\p{Z}\p{P}]+/gu

export function highlight(text: string, terms: readonly string[]): Highlighted {
  const wanted = new Set(terms)
  const spans: [number, number][] = []
  for (const m of text.matchAll(WORD)) {
    const term = normalizeTerm(m[0])
    if (term !== null && wanted.has(term)) spans.push([m.index, m.index + m[0].length])
  }
  const first = spans[0]?.[0] ?? 0
  let start = Math.max(0, first - BEFORE_MATCH)
  // do not cut a word in two at the start, unless it is one long word
  const space = text.lastIndexOf(' ', start)
  if (start > 0 && space >= 0 && start - space < 15) start = space + 1
  const end = Math.min(text.length, start + SNIPPET_CHARS)
  const lead = start > 0 ? '…' : ''
  const snippet = `${lead}${text.slice(start, end)}${end < text.length ? '…' : ''}`
  const shift = lead.length - start
  const highlights = spans
    .filter(([s, e]) => s >= start && e <= end)
    .map(([s, e]): [number, number] => [s + shift, e + shift])
  return { snippet, highlights }
}

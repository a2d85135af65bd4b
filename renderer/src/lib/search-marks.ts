import type { SearchHit } from '../../../core/api/types'

/** A hit's snippet cut into plain and matched parts, in order, for <mark>. */
export function markedParts(hit: SearchHit): { text: string; marked: boolean }[] {
  const parts: { text: string; marked: boolean }[] = []
  let at = 0
  for (const [start, end] of [...hit.highlights].sort((a, b) => a[0] - b[0])) {
    if (start < at || end > hit.snippet.length || end <= start) continue
    if (start > at) parts.push({ text: hit.snippet.slice(at, start), marked: false })
    parts.push({ text: hit.snippet.slice(start, end), marked: true })
    at = end
  }
  if (at < hit.snippet.length) parts.push({ text: hit.snippet.slice(at), marked: false })
  return parts
}

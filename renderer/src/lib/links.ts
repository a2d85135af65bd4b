export type Segment = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string }

const URL_PATTERN = /\b(?:https?:\/\/|www\.)[^\s<>"]+/gi
// Punctuation that usually ends a sentence rather than a URL.
const TRAILING = /[.,;:!?'")\]]+$/

/** Splits message text into plain text and http(s) links; nothing else ever becomes clickable. */
export function linkify(text: string): Segment[] {
  const segments: Segment[] = []
  let last = 0
  for (const match of text.matchAll(URL_PATTERN)) {
    const raw = match[0].replace(TRAILING, '')
    const start = match.index
    if (start > last) segments.push({ kind: 'text', text: text.slice(last, start) })
    const href = raw.toLowerCase().startsWith('www.') ? `https://${raw}` : raw
    segments.push({ kind: 'link', text: raw, href })
    last = start + raw.length
  }
  if (last < text.length) segments.push({ kind: 'text', text: text.slice(last) })
  return segments
}

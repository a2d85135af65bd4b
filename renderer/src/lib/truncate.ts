/** Longer messages than this (in characters or lines) are shown folded, with "Read more". */
export const FOLD_CHARS = 2_000
export const FOLD_LINES = 30

/** The start of a long text to show folded, or null when the whole text is short enough. */
export function foldedText(text: string): string | null {
  let cut = text.length > FOLD_CHARS ? FOLD_CHARS : -1
  let lines = 0
  for (let i = text.indexOf('\n'); i !== -1 && (cut === -1 || i < cut); i = text.indexOf('\n', i + 1)) {
    if (++lines >= FOLD_LINES) {
      cut = i
      break
    }
  }
  if (cut === -1) return null
  // never split a surrogate pair (an emoji) in two
  const code = text.charCodeAt(cut - 1)
  if (code >= 0xd800 && code <= 0xdbff) cut--
  return text.slice(0, cut).trimEnd()
}

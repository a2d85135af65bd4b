// Which addresses may leave the app: only web and mail links, and only to the system's own handler
// after the user agreed. Everything else a page tries to open or navigate to goes nowhere.
const EXTERNAL_PROTOCOLS = new Set(['http:', 'https:', 'mailto:'])
const MAX_URL_LENGTH = 2048

/** The link normalised for display and opening, or null if it must not be opened at all. */
export function externalLink(url: string): string | null {
  if (url.length > MAX_URL_LENGTH) return null
  try {
    const parsed = new URL(url)
    if (!EXTERNAL_PROTOCOLS.has(parsed.protocol)) return null
    if (parsed.protocol !== 'mailto:' && (parsed.username || parsed.password)) return null
    return parsed.href
  } catch {
    return null
  }
}

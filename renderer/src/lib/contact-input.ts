/** What a QR code for a contact holds: a URI a person can also paste. */
export function contactUri(id: string, name: string): string {
  return `cairn:${id}?name=${encodeURIComponent(name)}`
}

/**
 * Accepts a bare contact ID or the text of a contact QR code, and returns the ID to check plus
 * any name the code suggests. IDs are lowercase z-base32, so one typed or read out in capitals is
 * lowercased. The ID itself is validated by the core, which explains what is wrong.
 */
export function parseContactInput(text: string): { id: string; name: string | null } {
  const trimmed = text.trim()
  const uri = /^cairn:(?:\/\/)?([^?\s]*)(?:\?(.*))?$/i.exec(trimmed)
  if (!uri) return { id: trimmed.replace(/\s+/g, '').toLowerCase(), name: null }
  let name: string | null = null
  try {
    name = new URLSearchParams(uri[2] ?? '').get('name')
  } catch {
    name = null
  }
  return { id: uri[1].toLowerCase(), name: name && name.trim() ? name.trim() : null }
}

// File names come from peers. A name is refused outright when it could name anything but one file
// in one folder (separators, "." / "..", control or bidi characters that disguise an extension);
// what is accepted is still made safe for every platform before a save (Windows' reserved device
// names and characters, trailing dots and spaces, hidden dot-files).
export const MAX_NAME_BYTES = 255

const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])$/i
const WINDOWS_FORBIDDEN = /[<>:"|?*]/gu

/** Why a peer's file name is refused, or null when it is acceptable. */
export function fileNameProblem(name: string): string | null {
  if (name.length === 0) return 'the file name is empty'
  if (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) return `the file name is longer than ${MAX_NAME_BYTES} bytes`
  if (/[/\\]/u.test(name)) return 'the file name contains a path separator'
  if (name === '.' || name === '..') return 'the file name is a folder reference'
  if (/\p{Cc}/u.test(name)) return 'the file name contains control characters'
  if (BIDI_CONTROLS.test(name)) return 'the file name contains bidirectional-text controls'
  return null
}

/** A name that is safe to create in a download folder on any platform; `name` passed fileNameProblem. */
export function safeSaveName(name: string): string {
  let safe = name.replace(WINDOWS_FORBIDDEN, '_').replace(/[. ]+$/u, '')
  if (safe.startsWith('.')) safe = `_${safe.slice(1)}`
  const stem = safe.split('.')[0]
  if (WINDOWS_RESERVED.test(stem.trimEnd())) safe = `_${safe}`
  return safe.length === 0 ? '_' : safe
}

/** "name (n).ext" for the n-th alternative when "name.ext" is taken. */
export function numberedName(name: string, n: number): string {
  const dot = name.lastIndexOf('.')
  if (dot <= 0) return `${name} (${n})`
  return `${name.slice(0, dot)} (${n})${name.slice(dot)}`
}

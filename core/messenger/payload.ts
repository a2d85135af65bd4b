import { callLineText } from '../api/call-line'
import type { MessagePreview } from '../api/types'
import { decodeDescriptor, type FileDescriptor } from '../blobs'
import type { ContactRecord, MessageRecord } from './records'

export const DELETED_PREVIEW = 'Message deleted'

const UNITS: Array<[number, string]> = [
  [604_800, 'week'],
  [86_400, 'day'],
  [3600, 'hour'],
  [60, 'minute']
]

/** "1 day", "4 weeks", "off": how a disappearing-message setting reads. */
export function timerLabel(seconds: number): string {
  if (seconds === 0) return 'off'
  const [unit, name] = UNITS.find(([u]) => seconds % u === 0) ?? [1, 'second']
  const n = seconds / unit
  return `${n} ${name}${n === 1 ? '' : 's'}`
}

/** The part of a message a contact list shows as its last message: its text, or its file's name. */
export function preview(text: string, file?: FileDescriptor): string {
  if (file) return `File: ${file.name}`
  return text.length > 200 ? text.slice(0, 200) : text
}

/** preview() of a stored message (or of what is left of it). */
export function recordPreview(m: MessageRecord): string {
  if (m.deleted) return DELETED_PREVIEW
  if (m.timer !== undefined) return `Disappearing messages: ${timerLabel(m.timer)}`
  if (m.call) return callLineText(m.dir, m.call)
  return preview(m.text, m.file ? decodeDescriptor(Buffer.from(m.file, 'hex')) : undefined)
}

/** The contact list's last message, for a stored message. */
export function previewOf(m: MessageRecord): MessagePreview {
  return { direction: m.dir, text: recordPreview(m), at: m.sentAt }
}

/**
 * After a message changed (edited, deleted for everyone), the contact list shows its new form if it
 * is the one listed as the last message. Returns whether the record changed.
 */
export function refreshPreview(rec: ContactRecord, before: MessageRecord, after: MessageRecord): boolean {
  const last = rec.lastMessage
  if (!last || last.direction !== before.dir || last.at !== before.sentAt) return false
  rec.lastMessage = previewOf(after)
  return true
}

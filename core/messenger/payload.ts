import { decodeDescriptor, type FileDescriptor } from '../blobs'
import type { MessageRecord } from './records'

/** The part of a message a contact list shows as its last message: its text, or its file's name. */
export function preview(text: string, file?: FileDescriptor): string {
  if (file) return `File: ${file.name}`
  return text.length > 200 ? text.slice(0, 200) : text
}

/** preview() of a stored message. */
export function recordPreview(m: MessageRecord): string {
  return preview(m.text, m.file ? decodeDescriptor(Buffer.from(m.file, 'hex')) : undefined)
}

// File bytes between the page and the node, through the API only: a picked file goes up in pieces
// (uploadPiece), and a received one comes back in pieces (readFile) as a Blob for an <img>, a
// player or a download. The page never names a path.
import type { CairnApi, ContactId, Message, VoiceNoteMediaType } from '../../../core/api/types'
import { FILE_READ_MAX, UPLOAD_PIECE_MAX } from '../../../core/api/validate'

function toBase64(bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text)
  const out = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i)
  return out
}

/** Sends a file the person picked (or recorded: a voice note); `onprogress` gets the bytes handed over so far. */
export async function uploadFile(
  api: CairnApi,
  contact: ContactId,
  file: File,
  onprogress?: (bytes: number) => void,
  voiceNote?: VoiceNoteMediaType
): Promise<Message> {
  const upload = await api.beginUpload(file.size)
  for (let at = 0; at < file.size; at += UPLOAD_PIECE_MAX) {
    const piece = new Uint8Array(await file.slice(at, at + UPLOAD_PIECE_MAX).arrayBuffer())
    await api.uploadPiece(upload, toBase64(piece))
    onprogress?.(Math.min(file.size, at + UPLOAD_PIECE_MAX))
  }
  return voiceNote ? api.sendUpload(contact, upload, file.name, voiceNote) : api.sendUpload(contact, upload, file.name)
}

/** The whole of a file that is here, as a Blob of its media type. */
export async function readWhole(api: CairnApi, contact: ContactId, message: Message): Promise<Blob> {
  const file = message.file!
  const parts: Uint8Array<ArrayBuffer>[] = []
  for (let at = 0; at < file.size; at += FILE_READ_MAX) {
    parts.push(fromBase64(await api.readFile(contact, message.id, at, Math.min(FILE_READ_MAX, file.size - at))))
  }
  return new Blob(parts, { type: file.mediaType })
}

/** Offers a Blob as a download under the file's (already checked) name. */
export function saveBlob(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  a.click()
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}

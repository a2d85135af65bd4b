import { CairnError } from '../api/errors'
import { BlobError, decodeDescriptor, encodeDescriptor, type FileDescriptor } from '../blobs'
import { MAX_TEXT_BYTES as TEXT_MAX_BYTES } from '../protocol/limits'

const VERSION = 1

export interface Payload {
  text: string
  sentAt: number
  /** A file message: what the receiver needs to fetch, decrypt and check it (text is its caption). */
  file?: FileDescriptor
}

// What travels inside a ratchet envelope: versioned, so later message kinds can be added. A file
// rides in the optional "f" field (the descriptor's compact encoding, base64): a node that predates
// files shows its caption and ignores the rest.
export function encodePayload(p: Payload): Buffer {
  const file = p.file ? { f: encodeDescriptor(p.file).toString('base64') } : {}
  return Buffer.from(JSON.stringify({ v: VERSION, t: p.text, s: p.sentAt, ...file }))
}

/** Throws CairnError('invalid-argument') for anything but a well-formed payload of a known version. */
export function decodePayload(bytes: Buffer): Payload {
  let value: unknown
  try {
    value = JSON.parse(bytes.toString('utf8'))
  } catch {
    throw new CairnError('invalid-argument', 'message payload is not valid JSON')
  }
  const v = value as { v?: unknown; t?: unknown; s?: unknown; f?: unknown }
  if (typeof value !== 'object' || value === null || v.v !== VERSION) {
    throw new CairnError('invalid-argument', 'message payload has an unknown version')
  }
  if (typeof v.t !== 'string' || Buffer.byteLength(v.t) > TEXT_MAX_BYTES) throw new CairnError('invalid-argument', 'message text is missing or too long')
  if (typeof v.s !== 'number' || !Number.isSafeInteger(v.s) || v.s < 0) {
    throw new CairnError('invalid-argument', 'message timestamp is not a valid time')
  }
  if (v.f === undefined) return { text: v.t, sentAt: v.s }
  return { text: v.t, sentAt: v.s, file: decodeFile(v.f) }
}

function decodeFile(f: unknown): FileDescriptor {
  if (typeof f !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(f)) throw new CairnError('invalid-argument', 'the file field is not base64')
  try {
    return decodeDescriptor(Buffer.from(f, 'base64'))
  } catch (err) {
    if (err instanceof BlobError) throw new CairnError('invalid-argument', err.message)
    throw err
  }
}

/** The part of a message text a contact list shows as its last message. */
export function preview(text: string): string {
  return text.length > 200 ? text.slice(0, 200) : text
}

import { CairnError } from '../api/errors'
import { MAX_TEXT_BYTES as TEXT_MAX_BYTES } from '../protocol/limits'

const VERSION = 1

export interface Payload {
  text: string
  sentAt: number
}

// What travels inside a ratchet envelope: versioned, so later message kinds can be added.
export function encodePayload(p: Payload): Buffer {
  return Buffer.from(JSON.stringify({ v: VERSION, t: p.text, s: p.sentAt }))
}

/** Throws CairnError('invalid-argument') for anything but a well-formed payload of a known version. */
export function decodePayload(bytes: Buffer): Payload {
  let value: unknown
  try {
    value = JSON.parse(bytes.toString('utf8'))
  } catch {
    throw new CairnError('invalid-argument', 'message payload is not valid JSON')
  }
  const v = value as { v?: unknown; t?: unknown; s?: unknown }
  if (typeof value !== 'object' || value === null || v.v !== VERSION) {
    throw new CairnError('invalid-argument', 'message payload has an unknown version')
  }
  if (typeof v.t !== 'string' || Buffer.byteLength(v.t) > TEXT_MAX_BYTES) throw new CairnError('invalid-argument', 'message text is missing or too long')
  if (typeof v.s !== 'number' || !Number.isSafeInteger(v.s) || v.s < 0) {
    throw new CairnError('invalid-argument', 'message timestamp is not a valid time')
  }
  return { text: v.t, sentAt: v.s }
}

/** The part of a message text a contact list shows as its last message. */
export function preview(text: string): string {
  return text.length > 200 ? text.slice(0, 200) : text
}

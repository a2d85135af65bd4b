// What travels inside a ratchet envelope. Version 1 is a plain text message; version 2 adds the
// conversation features as kinds of their own. A reader meets kinds and versions newer than it
// knows as `unknown` and skips them, so a newer client never breaks an older one's conversation;
// anything malformed in a kind it does know is refused with a reason. A file rides in a text
// message's optional "f" field (the descriptor's compact encoding, base64), in either version: a
// reader that predates files shows the text (the caption) and ignores the field.
import { CairnError } from '../api/errors'
import { decodeDescriptor, encodeDescriptor, type FileDescriptor } from '../blobs/descriptor'
import { BlobError } from '../blobs/errors'
import { DISAPPEARING_SECONDS, MAX_TEXT_BYTES } from './limits'

/**
 * A message named from the writer's side: `mine` is a block of the writer's own log, otherwise of
 * the reader's log. The block index is the message's identity within the conversation, so a
 * reference can never point into another conversation.
 */
export interface MessageRef {
  mine: boolean
  block: number
}

export type Payload =
  /** With a file, the text is its caption. */
  | { kind: 'text'; sentAt: number; text: string; replyTo?: MessageRef; file?: FileDescriptor }
  /** One reaction per person per message: a new one replaces theirs, an empty emoji withdraws it. */
  | { kind: 'react'; sentAt: number; to: MessageRef; emoji: string }
  /** Only the writer's own messages can be edited or deleted. */
  | { kind: 'edit'; sentAt: number; to: MessageRef; text: string }
  | { kind: 'delete'; sentAt: number; to: MessageRef }
  /** Disappearing messages for the conversation: seconds, 0 for off. */
  | { kind: 'timer'; sentAt: number; seconds: number }
  /** A group invitation or its acceptance (core/groups/invite.ts bytes): no message of this history. */
  | { kind: 'group'; sentAt: number; data: Buffer }
  | { kind: 'unknown'; sentAt: number | null }

export type PayloadKind = Exclude<Payload['kind'], 'unknown'>

export const REACTION_MAX_BYTES = 32
/** Well above the largest group invitation (a name of 128 bytes and four keys). */
export const GROUP_SIGNAL_MAX_BYTES = 1024
/** The disappearing-message choices both sides offer: off, 5 minutes … 4 weeks. */
export const TIMER_CHOICES: readonly number[] = DISAPPEARING_SECONDS

const WIRE_KIND: Record<PayloadKind, string> = { text: 't', react: 'r', edit: 'e', delete: 'd', timer: 'x', group: 'g' }
const KIND_OF: Record<string, PayloadKind> = Object.fromEntries(Object.entries(WIRE_KIND).map(([k, w]) => [w, k as PayloadKind]))

function refWire(ref: MessageRef): [number, number] {
  return [ref.mine ? 1 : 0, ref.block]
}

function fileWire(file: FileDescriptor | undefined): { f?: string } {
  return file ? { f: encodeDescriptor(file).toString('base64') } : {}
}

export function encodePayload(p: Exclude<Payload, { kind: 'unknown' }>): Buffer {
  // plain text without a reply stays version 1, which every client reads
  if (p.kind === 'text' && !p.replyTo) return Buffer.from(JSON.stringify({ v: 1, t: p.text, s: p.sentAt, ...fileWire(p.file) }))
  const wire: Record<string, unknown> = { v: 2, k: WIRE_KIND[p.kind], s: p.sentAt }
  switch (p.kind) {
    case 'text':
      wire.t = p.text
      if (p.replyTo) wire.q = refWire(p.replyTo)
      Object.assign(wire, fileWire(p.file))
      break
    case 'react':
      wire.o = refWire(p.to)
      wire.e = p.emoji
      break
    case 'edit':
      wire.o = refWire(p.to)
      wire.t = p.text
      break
    case 'delete':
      wire.o = refWire(p.to)
      break
    case 'timer':
      wire.n = p.seconds
      break
    case 'group':
      wire.g = p.data.toString('base64')
      break
  }
  return Buffer.from(JSON.stringify(wire))
}

const bad = (why: string): never => {
  throw new CairnError('invalid-argument', why)
}

function sentAt(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) bad('message timestamp is not a valid time')
  return value as number
}

function text(value: unknown): string {
  if (typeof value !== 'string' || Buffer.byteLength(value) > MAX_TEXT_BYTES) bad('message text is missing or too long')
  return value as string
}

function ref(value: unknown): MessageRef {
  if (!Array.isArray(value) || value.length !== 2) return bad('message reference is malformed')
  const [mine, block] = value as unknown[]
  if ((mine !== 0 && mine !== 1) || typeof block !== 'number' || !Number.isSafeInteger(block) || block < 0) {
    bad('message reference is malformed')
  }
  return { mine: mine === 1, block: block as number }
}

function ownRef(value: unknown, what: string): MessageRef {
  const r = ref(value)
  if (!r.mine) bad(`${what} names a message its writer did not write`)
  return r
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' })
// control characters and bidirectional overrides have no place in a reaction
const FORBIDDEN = /[\p{Cc}\u200b\u200c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u

/** One grapheme (an emoji with its modifiers and joiners), or '' to withdraw a reaction. */
function emoji(value: unknown): string {
  if (typeof value !== 'string' || Buffer.byteLength(value) > REACTION_MAX_BYTES || FORBIDDEN.test(value)) {
    return bad('reaction is not a short emoji')
  }
  if ([...graphemes.segment(value)].length > 1) bad('reaction is more than one emoji')
  return value
}

function file(value: unknown): FileDescriptor {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) return bad('the file field is not base64')
  try {
    return decodeDescriptor(Buffer.from(value, 'base64'))
  } catch (err) {
    if (err instanceof BlobError) bad(err.message)
    throw err
  }
}

function groupSignal(value: unknown): Buffer {
  if (typeof value !== 'string' || value.length > Math.ceil(GROUP_SIGNAL_MAX_BYTES / 3) * 4 || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
    return bad('the group field is not base64 of a group invitation')
  }
  return Buffer.from(value, 'base64')
}

/** A text message from its wire fields: the reply and the file only when present. */
function textPayload(w: Record<string, unknown>, at: number, replyTo: unknown): Payload {
  return {
    kind: 'text',
    sentAt: at,
    text: text(w.t),
    ...(replyTo === undefined ? {} : { replyTo: ref(replyTo) }),
    ...(w.f === undefined ? {} : { file: file(w.f) })
  }
}

/** Throws CairnError('invalid-argument') for a malformed payload of a known kind; unknown kinds decode as such. */
export function decodePayload(bytes: Buffer): Payload {
  let value: unknown
  try {
    value = JSON.parse(bytes.toString('utf8'))
  } catch {
    return bad('message payload is not valid JSON')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return bad('message payload is not an object')
  const w = value as Record<string, unknown>
  if (w.v === 1) return textPayload(w, sentAt(w.s), undefined)
  if (typeof w.v !== 'number' || !Number.isSafeInteger(w.v) || w.v < 1) return bad('message payload has no valid version')
  const kind = w.v === 2 && typeof w.k === 'string' ? KIND_OF[w.k] : undefined
  if (!kind) return { kind: 'unknown', sentAt: typeof w.s === 'number' && Number.isSafeInteger(w.s) && w.s >= 0 ? w.s : null }
  const at = sentAt(w.s)
  switch (kind) {
    case 'text':
      return textPayload(w, at, w.q)
    case 'react':
      return { kind, sentAt: at, to: ref(w.o), emoji: emoji(w.e) }
    case 'edit':
      return { kind, sentAt: at, to: ownRef(w.o, 'an edit'), text: text(w.t) }
    case 'delete':
      return { kind, sentAt: at, to: ownRef(w.o, 'a delete') }
    case 'timer':
      if (typeof w.n !== 'number' || !TIMER_CHOICES.includes(w.n)) return bad('disappearing-message timer is out of range')
      return { kind, sentAt: at, seconds: w.n }
    case 'group':
      return { kind, sentAt: at, data: groupSignal(w.g) }
  }
}

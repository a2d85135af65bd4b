import { CairnError } from '../api/errors'
import { decodeBundle, decodePublishedOneTimePrekey, MAX_PLAINTEXT_BYTES, Session } from '../ratchet'
import { keys, type Tx } from '../store'
import type { Outbox } from './outbox'
import { seqBytes } from './outbox'
import { seqOfId } from './message-ref'
import { encodePayload, type MessageRef } from '../protocol/payload'
import { preview, refreshPreview } from './payload'
import { stampExpiry } from './disappearing'
import type { ContactRecord, MessageRecord } from './records'
import type { Counterpart } from './receive'
import { decodeDescriptor, encodeDescriptor, type FileDescriptor } from '../blobs'
import { stampEvent } from './message-events'
import { earlierSend, rememberSend } from './client-ids'

export function fileField(file: FileDescriptor | undefined): { file?: string } {
  return file ? { file: encodeDescriptor(file).toString('hex') } : {}
}

export interface Written {
  message: MessageRecord
  seq: number
  /** Null while the message waits for the contact's bundle, and for a repeat. */
  envelope: Buffer | null
  /** An earlier send with the same client id stored this message: nothing was written now. */
  repeat?: true
}

export interface Sealed {
  block: number
  envelope: Buffer
  seq: number
}

/** A message waiting for the contact's bundle has no block of my log yet. */
export const QUEUED = -1

/** Checks a message and encodes what is encrypted of it; throws CairnError before anything is written. */
export function messagePayload(text: string, now: number, extra: { replyTo?: MessageRef; file?: FileDescriptor } = {}): Buffer {
  const payload = encodePayload({ kind: 'text', text, sentAt: now, ...(extra.replyTo ? { replyTo: extra.replyTo } : {}), ...(extra.file ? { file: extra.file } : {}) })
  if (payload.length > MAX_PLAINTEXT_BYTES) throw new CairnError('invalid-argument', 'the message is too long')
  return payload
}

export interface SendRequest {
  text: string
  /** The encoded payload (messagePayload), checked before the request was made. */
  payload: Buffer
  now: number
  extra: { replyTo?: string; file?: FileDescriptor; clientId?: string }
}

/**
 * Encrypts messages into one write, on the draft record: each message, its envelope for my log, and
 * once for all of them the advanced session and the record, in one batch; the append to my log
 * follows, and is repeated after a crash. Without a session and without the contact's prekey bundle
 * (or behind messages still waiting for it) a message is written queued, and sealQueued encrypts it
 * once the bundle arrives: no session starts without their signed prekey. A request whose client
 * id names a deleted message gets its error in the results, and writes nothing.
 */
export async function writeMessages(
  w: Counterpart,
  outbox: Outbox,
  appended: number,
  rec: ContactRecord,
  tx: Tx,
  requests: SendRequest[]
): Promise<Array<Written | Error>> {
  const results: Array<Written | Error> = []
  let session: Session | null | undefined
  let sealed = false
  for (const req of requests) {
    const earlier = req.extra.clientId === undefined ? null : await earlierSend(w, tx, req.extra.clientId).catch((err: unknown) => toError(err))
    if (earlier instanceof Error) results.push(earlier)
    else if (earlier) results.push({ ...earlier, envelope: null, repeat: true })
    else {
      if (session === undefined) session = await sendingSession(w, rec, tx)
      const one = await writeOne(w, rec, tx, session, req)
      sealed ||= one.envelope !== null
      results.push(one)
    }
  }
  if (session === undefined) return results
  if (session && sealed) {
    tx.put(keys.session(w.tag, session.id), session.encode())
    outbox.clean(tx, appended)
  }
  tx.putJson(keys.contact(w.tag), rec)
  return results
}

/** One message of writeMessages: the record and, with a session and nothing queued before it, its envelope. */
async function writeOne(w: Counterpart, rec: ContactRecord, tx: Tx, session: Session | null, req: SendRequest): Promise<Written> {
  const { text, payload, now, extra } = req
  const queued = !session || (rec.queued?.length ?? 0) > 0
  const block = queued ? QUEUED : rec.outCount
  const seq = rec.nextSeq
  const written: MessageRecord = { id: w.messageId(seq), dir: 'out', text, sentAt: now, receivedAt: now, block, ...(extra.replyTo ? { replyTo: extra.replyTo } : {}), ...fileField(extra.file) }
  stampExpiry(rec, tx, w.tag, seq, written, w.deps.now())
  const message = await stampEvent(tx, w.tag, seq, written)
  tx.putJson(keys.message(w.tag, seq), message)
  let envelope: Buffer | null = null
  if (!session || queued) {
    rec.queued = [...(rec.queued ?? []), seq]
  } else {
    envelope = session.encrypt(payload)
    tx.put(keys.outBlock(w.tag, block), seqBytes(seq))
    tx.put(keys.envelope(w.tag, block), envelope)
    rec.outCount = block + 1
  }
  rec.nextSeq = seq + 1
  if (extra.clientId !== undefined) await rememberSend(w, rec, tx, extra.clientId, seq, now)
  rec.lastMessage = { direction: 'out', text: preview(text, extra.file), at: now }
  rec.lastActivity = now
  return { message, seq, envelope }
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err))
}

/**
 * Encrypts the queued messages, oldest first, into a write on the draft record, now that a session
 * can start (their bundle arrived, or they started one). A queued message deleted meanwhile is
 * skipped: its text never leaves the device. Returns what to append, or nothing yet.
 */
export async function sealQueued(w: Counterpart, rec: ContactRecord, tx: Tx): Promise<Sealed[]> {
  const session = await sendingSession(w, rec, tx)
  if (!session) return []
  const sealed: Sealed[] = []
  for (const seq of rec.queued ?? []) {
    const m = await tx.getJson<MessageRecord>(keys.message(w.tag, seq))
    if (!m) continue
    const block = rec.outCount++
    const replyTo = m.replyTo === undefined ? undefined : await sealedRef(w, tx, m.replyTo)
    const file = m.file ? { file: decodeDescriptor(Buffer.from(m.file, 'hex')) } : {}
    const envelope = session.encrypt(encodePayload({ kind: 'text', text: m.text, sentAt: m.sentAt, ...(replyTo ? { replyTo } : {}), ...file }))
    tx.putJson(keys.message(w.tag, seq), { ...m, block })
    tx.put(keys.outBlock(w.tag, block), seqBytes(seq))
    tx.put(keys.envelope(w.tag, block), envelope)
    sealed.push({ block, envelope, seq })
  }
  rec.queued = []
  tx.put(keys.session(w.tag, session.id), session.encode())
  tx.putJson(keys.contact(w.tag), rec)
  return sealed
}

/** How a queued reply names its quote now: null when the quote was deleted or is still unsealed. */
async function sealedRef(w: Counterpart, tx: Tx, id: string): Promise<MessageRef | null> {
  const seq = seqOfId(w, id)
  const quoted = seq === null ? null : await tx.getJson<MessageRecord>(keys.message(w.tag, seq))
  return quoted && quoted.block !== QUEUED ? { mine: quoted.dir === 'out', block: quoted.block } : null
}

/** The session to write with; starts one from their bundle if there is none; null without a bundle. */
export async function sendingSession(w: Counterpart, rec: ContactRecord, tx: Tx): Promise<Session | null> {
  const active = rec.sessions[0]
  const current = active ? await w.sessions.load(tx, active) : null
  if (current) return current
  if (!rec.bundle) return null
  // A one-time prekey serves one start: it leaves the record in the same write as the session.
  const oneTime = rec.oneTime ? decodePublishedOneTimePrekey(Buffer.from(rec.oneTime, 'hex'), w.key.bytes) : null
  delete rec.oneTime
  const session = Session.initiate(w.deps.identity, w.key.bytes, decodeBundle(Buffer.from(rec.bundle, 'hex'), w.key.bytes), oneTime)
  w.sessions.adopt(rec, session, true)
  return session
}

/**
 * Encrypts a change to a message (a reaction, an edit, a delete for everyone) into a write, on the draft record: its
 * envelope for my log, the advanced session and the changed message, in one batch. The block
 * carries no message of its own.
 */
export async function writeChange(
  w: Counterpart,
  outbox: Outbox,
  appended: number,
  rec: ContactRecord,
  tx: Tx,
  payload: Buffer,
  target: number,
  change: (m: MessageRecord) => MessageRecord
): Promise<{ block: number; envelope: Buffer | null; message: MessageRecord }> {
  const record = await tx.getJson<MessageRecord>(keys.message(w.tag, target))
  if (!record) throw new CairnError('not-found', 'no such message in this conversation')
  const message = await stampEvent(tx, w.tag, target, change(record))
  if (refreshPreview(rec, record, message)) tx.putJson(keys.contact(w.tag), rec)
  if (record.block === QUEUED) {
    tx.putJson(keys.message(w.tag, target), message)
    return { block: QUEUED, envelope: null, message }
  }
  const session = await sendingSession(w, rec, tx)
  if (!session) throw new CairnError('invalid-argument', 'there is no session with this contact to send the change in')
  const envelope = session.encrypt(payload)
  const block = rec.outCount
  tx.put(keys.envelope(w.tag, block), envelope)
  tx.put(keys.session(w.tag, session.id), session.encode())
  outbox.clean(tx, appended)
  rec.outCount = block + 1
  tx.putJson(keys.message(w.tag, target), message)
  tx.putJson(keys.contact(w.tag), rec)
  return { block, envelope, message }
}

/** Encrypts a payload that is no message of this history (a group invitation) into a write, for my log. */
export async function writeSignal(
  w: Counterpart,
  outbox: Outbox,
  appended: number,
  rec: ContactRecord,
  tx: Tx,
  payload: Buffer
): Promise<{ block: number; envelope: Buffer }> {
  if (rec.blocked) throw new CairnError('blocked', 'this contact is blocked; unblock them to write to them')
  const session = await sendingSession(w, rec, tx)
  if (!session) throw new CairnError('offline', 'no session with this contact yet: they need to have been online once')
  const envelope = session.encrypt(payload)
  const block = rec.outCount
  tx.put(keys.envelope(w.tag, block), envelope)
  tx.put(keys.session(w.tag, session.id), session.encode())
  outbox.clean(tx, appended)
  rec.outCount = block + 1
  tx.putJson(keys.contact(w.tag), rec)
  return { block, envelope }
}

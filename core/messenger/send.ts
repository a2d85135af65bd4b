import { CairnError } from '../api/errors'
import { decodeBundle, MAX_PLAINTEXT_BYTES, Session } from '../ratchet'
import { keys, type Tx } from '../store'
import type { Outbox } from './outbox'
import { seqBytes } from './outbox'
import { encodePayload, preview } from './payload'
import type { ContactRecord, MessageRecord } from './records'
import type { Counterpart } from './receive'
import type { FileDescriptor } from '../blobs'
import { encodeDescriptor } from '../blobs'

export function fileField(file: FileDescriptor | undefined): { file?: string } {
  return file ? { file: encodeDescriptor(file).toString('hex') } : {}
}

export interface Written {
  message: MessageRecord
  seq: number
  envelope: Buffer
}

/** Checks a message and encodes what is encrypted of it; throws CairnError before anything is written. */
export function messagePayload(text: string, now: number, file?: FileDescriptor): Buffer {
  const payload = encodePayload({ text, sentAt: now, ...(file ? { file } : {}) })
  if (payload.length > MAX_PLAINTEXT_BYTES) throw new CairnError('invalid-argument', 'the message is too long')
  return payload
}

/**
 * Encrypts a message into a write, on the draft record: the message, its envelope for my log and
 * the advanced session, in one batch; the append to my log follows, and is repeated after a crash.
 */
export async function writeMessage(
  w: Counterpart,
  outbox: Outbox,
  appended: number,
  rec: ContactRecord,
  tx: Tx,
  text: string,
  payload: Buffer,
  now: number,
  file?: FileDescriptor
): Promise<Written> {
  const session = await sendingSession(w, rec, tx)
  const envelope = session.encrypt(payload)
  const block = rec.outCount
  const seq = rec.nextSeq
  const message: MessageRecord = { id: w.messageId(seq), dir: 'out', text, sentAt: now, receivedAt: now, block, ...fileField(file) }
  tx.putJson(keys.message(w.tag, seq), message)
  tx.put(keys.outBlock(w.tag, block), seqBytes(seq))
  tx.put(keys.envelope(w.tag, block), envelope)
  tx.put(keys.session(w.tag, session.id), session.encode())
  outbox.clean(tx, appended)
  rec.outCount = block + 1
  rec.nextSeq = seq + 1
  rec.lastMessage = { direction: 'out', text: file ? `File: ${file.name}` : preview(text), at: now }
  rec.lastActivity = now
  tx.putJson(keys.contact(w.tag), rec)
  return { message, seq, envelope }
}

/** The session to write with; starts one (from their bundle when I have it) if there is none. */
async function sendingSession(w: Counterpart, rec: ContactRecord, tx: Tx): Promise<Session> {
  const active = rec.sessions[0]
  const current = active ? await w.sessions.load(tx, active) : null
  if (current) return current
  const bundle = rec.bundle ? decodeBundle(Buffer.from(rec.bundle, 'hex'), w.key.bytes) : null
  const session = Session.initiate(w.deps.identity, w.key.bytes, bundle)
  w.sessions.adopt(rec, session, true)
  return session
}

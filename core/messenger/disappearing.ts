// Disappearing messages: the setting both sides of a conversation share, and the expiry of each
// message written or received while it is on. Either side may change the setting; each change is a
// timer block in its writer's log, and both sides keep the one written last (by its writer's clock;
// the longer timer when two were written in the same millisecond), so two changes made at once
// still end in one setting. A message expires this long after it was written (my own) or received
// (theirs), by this device's clock; an index ordered by that time tells the sweep (see Erasure)
// what is due without reading the history.
import { CairnError } from '../api/errors'
import { encodePayload, TIMER_CHOICES, type Payload } from '../protocol/payload'
import { keys, type Tx } from '../store'
import type { Outbox } from './outbox'
import { previewOf } from './payload'
import type { Counterpart } from './receive'
import type { ContactRecord, MessageRecord } from './records'
import { sendingSession } from './send'

const INDEXED = Buffer.from([1])

/**
 * Gives a new message its expiry when the conversation's messages disappear, and queues it for the
 * sweep. `now` is the reading the caller stamped the message with (receivedAt for theirs), not a
 * fresh one, so the lifetime is exactly the setting however long the write took.
 */
export function stampExpiry(rec: ContactRecord, tx: Tx, tag: Buffer, seq: number, m: MessageRecord, now: number): void {
  const seconds = rec.disappear?.seconds ?? 0
  if (seconds === 0) return
  const expiresAt = now + seconds * 1000
  m.expiresAt = expiresAt
  tx.put(keys.expiry(expiresAt, tag, seq), INDEXED)
}

/** A line in the history saying who set the timer to what, and the record pointing the contact list at it. */
function timerLine(w: Counterpart, rec: ContactRecord, tx: Tx, line: Omit<MessageRecord, 'id' | 'text'>): { message: MessageRecord; seq: number } {
  const seq = rec.nextSeq++
  const message: MessageRecord = { id: w.messageId(seq), text: '', ...line }
  tx.putJson(keys.message(w.tag, seq), message)
  rec.lastMessage = previewOf(message)
  rec.lastActivity = line.receivedAt
  return { message, seq }
}

/**
 * My new setting, encrypted into a write on the draft record: the timer block for my log, the
 * advanced session, the line in my history and the record's new setting. It goes out in my log, so
 * it needs a session: before their prekey bundle arrives there is none to write it in.
 */
export async function writeTimer(
  w: Counterpart,
  outbox: Outbox,
  appended: number,
  rec: ContactRecord,
  tx: Tx,
  seconds: number
): Promise<{ block: number; envelope: Buffer; message: MessageRecord; seq: number }> {
  if (!TIMER_CHOICES.includes(seconds)) throw new CairnError('invalid-argument', `disappearing messages take one of ${TIMER_CHOICES.join(', ')} seconds`)
  const session = await sendingSession(w, rec, tx)
  if (!session) throw new CairnError('invalid-argument', 'disappearing messages can be set once this contact has connected once')
  const now = w.deps.now()
  // written after every setting seen so far, whatever the two clocks say
  const at = Math.min(Number.MAX_SAFE_INTEGER, Math.max(now, (rec.disappear?.at ?? -1) + 1))
  const envelope = session.encrypt(encodePayload({ kind: 'timer', sentAt: at, seconds }))
  const block = rec.outCount
  tx.put(keys.envelope(w.tag, block), envelope)
  tx.put(keys.session(w.tag, session.id), session.encode())
  outbox.clean(tx, appended)
  rec.outCount = block + 1
  rec.disappear = { seconds, at, mine: true }
  const { message, seq } = timerLine(w, rec, tx, { dir: 'out', sentAt: at, receivedAt: now, block, timer: seconds })
  tx.putJson(keys.contact(w.tag), rec)
  return { block, envelope, message, seq }
}

/** Their setting from block `index` of their log, taken unless mine was written later; the line it leaves, or null. */
export function adoptTimer(
  w: Counterpart,
  rec: ContactRecord,
  tx: Tx,
  payload: Extract<Payload, { kind: 'timer' }>,
  index: number
): { message: MessageRecord; seq: number } | null {
  const current = rec.disappear
  if (current && (payload.sentAt < current.at || (payload.sentAt === current.at && payload.seconds <= current.seconds))) return null
  rec.disappear = { seconds: payload.seconds, at: payload.sentAt, mine: false }
  return timerLine(w, rec, tx, { dir: 'in', sentAt: payload.sentAt, receivedAt: w.deps.now(), block: index, timer: payload.seconds })
}

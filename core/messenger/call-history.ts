// Calls as lines of the conversation's history: when a call ends, each side writes what became of
// it ("Missed call", "Outgoing call, 3:12") as a record beside the messages. The line is this
// device's own note, never sent: each side writes its own from the same call frames, so both
// histories show the call even though no block of either log carries it.
import type { CallEnd, CallLine, CallOutcome } from '../api/types'
import { keys, type Tx } from '../store'
import { stampEvent } from './message-events'
import { previewOf } from './payload'
import type { Counterpart } from './receive'
import type { ContactRecord, MessageRecord } from './records'
import { QUEUED } from './send'

/** What the line says became of a call in `direction` that ended so. */
export function callOutcome(direction: 'in' | 'out', end: CallEnd): CallOutcome {
  if (end.durationMs > 0) return 'answered'
  if (direction === 'in') return end.reason === 'declined' && end.by === 'local' ? 'declined' : 'missed'
  switch (end.reason) {
    case 'declined':
    case 'busy':
    case 'unavailable':
      return end.reason
    case 'timeout':
      return 'unanswered'
    case 'hangup':
      return 'cancelled'
    default:
      return 'failed'
  }
}

/** The line, in a write on the draft record; it takes the next message event like any message. */
export async function writeCallLine(
  w: Counterpart,
  rec: ContactRecord,
  tx: Tx,
  line: { dir: 'in' | 'out'; startedAt: number; endedAt: number; call: CallLine }
): Promise<{ message: MessageRecord; seq: number }> {
  const seq = rec.nextSeq++
  const draft: MessageRecord = { id: w.messageId(seq), dir: line.dir, text: '', sentAt: line.startedAt, receivedAt: line.endedAt, block: QUEUED, call: line.call }
  const message = await stampEvent(tx, w.tag, seq, draft)
  tx.putJson(keys.message(w.tag, seq), message)
  rec.lastMessage = previewOf(message)
  rec.lastActivity = Math.max(rec.lastActivity, line.endedAt)
  return { message, seq }
}

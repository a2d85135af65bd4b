// Finding a message of a conversation from its id (the form messageId gives it), and how a payload
// names that message to the contact: by its block, from my side.
import { CairnError } from '../api/errors'
import type { MessageRef } from '../protocol/payload'
import { keys, type Tx } from '../store'
import type { Counterpart } from './receive'
import type { MessageRecord } from './records'

/** The history number an id of this conversation names, or null when it names none. */
export function seqOfId(w: Counterpart, id: string): number | null {
  const digits = id.slice(id.lastIndexOf('-') + 1)
  if (!/^(0|[1-9]\d{0,14})$/.test(digits)) return null
  const seq = Number(digits)
  return w.messageId(seq) === id ? seq : null
}

/**
 * A message kept in this conversation, with its reference; not-found when there is none. A message
 * deleted for everyone and a line about the conversation are no messages to quote or change.
 */
export async function locate(w: Counterpart, reader: Pick<Tx, 'getJson'>, id: string): Promise<{ seq: number; ref: MessageRef; record: MessageRecord }> {
  const seq = seqOfId(w, id)
  const record = seq === null ? null : await reader.getJson<MessageRecord>(keys.message(w.tag, seq))
  if (seq === null || !record) throw new CairnError('not-found', 'no such message in this conversation')
  if (record.deleted) throw new CairnError('invalid-argument', 'this message was deleted')
  if (record.timer !== undefined) throw new CairnError('invalid-argument', 'this is a line about the conversation, not a message')
  return { seq, ref: { mine: record.dir === 'out', block: record.block }, record }
}

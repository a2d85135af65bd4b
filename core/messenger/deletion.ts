// Deleting what the user asks to delete: one message, or a whole conversation. The records leave
// the live store here; the messenger then ends the store epoch, so the text leaves the disk too
// (see store/epochs). A message already in my log stays there as ciphertext that its ratchet keys,
// long deleted, no longer open; a queued one is simply never sent. The conversation then erases
// the chunks of the files those messages carried.
import { CairnError } from '../api/errors'
import type { MessagePreview } from '../api/types'
import { keys, seqOfKey, type Tx } from '../store'
import { seqOfId } from './message-ref'
import { recordPreview } from './payload'
import type { Counterpart } from './receive'
import type { ContactRecord, MessageRecord } from './records'
import { unstampEvent } from './message-events'

/** The preview of the newest message left, for the contact list. */
async function newestPreview(w: Counterpart, tx: Tx, deleted: number): Promise<MessagePreview | null> {
  for await (const { key, value } of w.deps.store.range(keys.messages(w.tag), { reverse: true, limit: 2 })) {
    if (seqOfKey(key) === deleted || (await tx.get(key)) === null) continue
    const m = JSON.parse(value.toString('utf8')) as MessageRecord
    return { direction: m.dir, text: recordPreview(m), at: m.sentAt }
  }
  return null
}

/** Deletes one message (or every message, for null) in a write on the draft record; returns those deleted that carried a file. */
export async function deleteRecords(w: Counterpart, rec: ContactRecord, tx: Tx, messageId: string | null): Promise<MessageRecord[]> {
  const withFiles: MessageRecord[] = []
  if (messageId === null) {
    for await (const { key, value } of w.deps.store.range(keys.messages(w.tag))) {
      const m = JSON.parse(value.toString('utf8')) as MessageRecord
      if (m.file) withFiles.push(m)
      unstampEvent(tx, m)
      tx.del(key)
    }
    rec.lastMessage = null
    rec.unread = 0
    rec.readSeq = rec.nextSeq
  } else {
    const seq = seqOfId(w, messageId)
    if (seq === null) throw new CairnError('not-found', `no message ${messageId.slice(0, 40)} with this contact`)
    const m = await tx.getJson<MessageRecord>(keys.message(w.tag, seq))
    if (!m) throw new CairnError('not-found', `no message ${messageId} with this contact`)
    if (m.file) withFiles.push(m)
    unstampEvent(tx, m)
    tx.del(keys.message(w.tag, seq))
    // unread counts the messages from them at or after my read mark: a deleted one no longer does
    if (m.dir === 'in' && seq >= rec.readSeq) rec.unread = Math.max(0, rec.unread - 1)
    rec.lastMessage = await newestPreview(w, tx, seq)
  }
  tx.putJson(keys.contact(w.tag), rec)
  return withFiles
}

// Deleting what the user asks to delete: one message, or a whole conversation; what expired; and
// what its writer deleted for everyone, of which a tombstone keeps the place. The records leave
// the live store here; the messenger then ends the store epoch, so the text leaves the disk too
// (see store/epochs). A message already in my log stays there as ciphertext that its ratchet keys,
// long deleted, no longer open; a queued one is simply never sent. The conversation then erases
// the chunks of the files those messages carried.
import { CairnError } from '../api/errors'
import type { MessagePreview } from '../api/types'
import { keys, seqOfKey, type Tx } from '../store'
import { seqOfId } from './message-ref'
import { previewOf } from './payload'
import type { Counterpart } from './receive'
import type { ContactRecord, MessageRecord } from './records'
import { unstampEvent } from './message-events'

/** The preview of the newest message left, for the contact list. */
async function newestPreview(w: Counterpart, tx: Tx, deleted: Set<number>): Promise<MessagePreview | null> {
  for await (const { key, value } of w.deps.store.range(keys.messages(w.tag), { reverse: true, limit: deleted.size + 1 })) {
    if (deleted.has(seqOfKey(key)) || (await tx.get(key)) === null) continue
    return previewOf(JSON.parse(value.toString('utf8')) as MessageRecord)
  }
  return null
}

/** What is left of a message its writer deleted for everyone: its place, and when that place expires. */
export function tombstone(m: MessageRecord): MessageRecord {
  const { id, dir, sentAt, receivedAt, block, expiresAt } = m
  return { id, dir, text: '', sentAt, receivedAt, block, deleted: true, ...(expiresAt === undefined ? {} : { expiresAt }) }
}

/**
 * Deletes the messages that expired at these times, in a write on the draft record; returns them. A
 * history number whose message is gone, or was reused (a contact removed and added again) by one
 * that expires at another time or never, is left alone.
 */
export async function expireRecords(w: Counterpart, rec: ContactRecord, tx: Tx, due: Array<{ seq: number; at: number }>): Promise<MessageRecord[]> {
  const gone: MessageRecord[] = []
  const seqs = new Set<number>()
  for (const { seq, at } of due) {
    const m = await tx.getJson<MessageRecord>(keys.message(w.tag, seq))
    if (!m || m.expiresAt !== at) continue
    gone.push(m)
    unstampEvent(tx, m)
    seqs.add(seq)
    tx.del(keys.message(w.tag, seq))
    // an unread message that expired is no longer waiting to be read
    if (m.dir === 'in' && seq >= rec.readSeq && m.timer === undefined && rec.unread > 0) rec.unread--
  }
  if (gone.length === 0) return gone
  rec.lastMessage = await newestPreview(w, tx, seqs)
  tx.putJson(keys.contact(w.tag), rec)
  return gone
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
    rec.lastMessage = await newestPreview(w, tx, new Set([seq]))
  }
  tx.putJson(keys.contact(w.tag), rec)
  return withFiles
}

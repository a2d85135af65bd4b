// Deleting what the user asks to delete: one message, or a whole conversation. The records go from
// the live store at once, and the store then moves to a new epoch, so the deleted text leaves the
// disk too (see store/epochs). A message already in my log stays there as ciphertext its ratchet
// keys, long deleted, no longer open.
import { CairnError } from '../api/errors'
import type { MessagePreview } from '../api/types'
import { keys, seqOfKey, type Tx } from '../store'
import type { MessengerContext } from './context'
import type { Conversation } from './conversation'
import { preview } from './payload'
import type { ContactRecord, MessageRecord } from './records'

function seqOf(c: Conversation, messageId: string): number {
  const dash = messageId.lastIndexOf('-')
  const seq = Number(messageId.slice(dash + 1))
  if (dash < 0 || !/^\d{1,15}$/.test(messageId.slice(dash + 1)) || c.messageId(seq) !== messageId) {
    throw new CairnError('not-found', `no message ${messageId.slice(0, 40)} with this contact`)
  }
  return seq
}

/** The preview of the newest message left, for the contact list. */
async function newestPreview(ctx: MessengerContext, c: Conversation, tx: Tx, deleted: number): Promise<MessagePreview | null> {
  for await (const { key, value } of ctx.store.range(keys.messages(c.tag), { reverse: true, limit: 2 })) {
    if (seqOfKey(key) === deleted || (await tx.get(key)) === null) continue
    const m = JSON.parse(value.toString('utf8')) as MessageRecord
    return { direction: m.dir, text: preview(m.text), at: m.dir === 'in' ? m.sentAt : m.receivedAt }
  }
  return null
}

/** `deleted` runs once the records are gone from the live store, before the erase from disk. */
export async function deleteMessage(ctx: MessengerContext, c: Conversation, messageId: string, deleted: () => void): Promise<void> {
  const seq = seqOf(c, messageId)
  await ctx.store.write(
    async (tx) => {
      if (!(await tx.get(keys.message(c.tag, seq)))) throw new CairnError('not-found', `no message ${messageId} with this contact`)
      tx.del(keys.message(c.tag, seq))
      const rec: ContactRecord = { ...c.rec, lastMessage: await newestPreview(ctx, c, tx, seq) }
      tx.putJson(keys.contact(c.tag), rec)
      return rec
    },
    (rec) => (c.rec = rec)
  )
  deleted()
  ctx.emitContact(c)
  await ctx.epochs.advance()
}

export async function clearConversation(ctx: MessengerContext, c: Conversation, deleted: () => void): Promise<void> {
  await ctx.store.write(
    async (tx) => {
      for await (const { key } of ctx.store.range(keys.messages(c.tag))) tx.del(key)
      const rec: ContactRecord = { ...c.rec, lastMessage: null, unread: 0, readSeq: c.rec.nextSeq }
      tx.putJson(keys.contact(c.tag), rec)
      return rec
    },
    (rec) => (c.rec = rec)
  )
  deleted()
  ctx.emitContact(c)
  await ctx.epochs.advance()
}

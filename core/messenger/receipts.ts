import type { MessengerContext } from './context'
import type { Conversation } from './conversation'
import { outgoingSeq } from './send'

/**
 * Their receipts are written to the store at most this often: a write per receipt would queue in
 * front of my next send. They are re-sent on every connect, so a crash loses none for good.
 */
const RECEIPT_SAVE_MS = 1000

/** Tells a connected contact how far I have read their log. */
export function sendReadReceipt(c: Conversation): void {
  if (c.peer && c.rec.readBlocks > 0) c.peer.send({ type: 'receipt', kind: 'read', upTo: c.rec.readBlocks - 1 })
}

export async function onReceipt(ctx: MessengerContext, c: Conversation, kind: 'delivered' | 'read', upTo: number): Promise<void> {
  if (!Number.isSafeInteger(upTo) || upTo < 0 || upTo >= c.rec.outCount) {
    return ctx.security(c, 'protocol-violation', `a ${kind} receipt names block ${upTo}, which I never wrote`)
  }
  const heard = c.receipts
  const from = kind === 'read' ? heard.read : heard.delivered
  if (upTo + 1 <= from) return
  if (kind === 'read') heard.read = upTo + 1
  heard.delivered = Math.max(heard.delivered, upTo + 1)
  if (!c.receiptSave) {
    c.receiptSave = setTimeout(() => ctx.guard(() => saveReceipts(ctx, c)), RECEIPT_SAVE_MS)
    c.receiptSave.unref()
  }
  for (let block = from; block <= upTo; block++) {
    const seq = await outgoingSeq(ctx.store, c, block)
    if (seq === null) continue
    ctx.emitEvent({ type: 'message-state', contact: c.id, id: c.messageId(seq), state: kind })
  }
}

/** Writes the receipts heard since the contact record was last written, if any. */
export async function saveReceipts(ctx: MessengerContext, c: Conversation): Promise<void> {
  if (c.receiptSave) clearTimeout(c.receiptSave)
  c.receiptSave = null
  if (ctx.conversations.get(c.rec.pk) !== c) return
  await ctx.updateContact(c, (r) => {
    const { delivered, read } = c.receipts
    if (ctx.conversations.get(r.pk) !== c || (delivered <= r.delivered && read <= r.read)) return null
    return { delivered: Math.max(r.delivered, delivered), read: Math.max(r.read, read) }
  })
}

import { CairnError } from '../api/errors'
import type { Message } from '../api/types'
import { decodeBundle, MAX_PLAINTEXT_BYTES, Session } from '../ratchet'
import { keys, type Store, type Tx } from '../store'
import type { MessengerContext } from './context'
import type { Conversation } from './conversation'
import { encodePayload, preview } from './payload'
import type { ContactRecord, MessageRecord } from './records'
import { adoptSession, commitOrForget, loadSession } from './sessions'

/** A message waiting for the contact's bundle has no block of my log yet. */
const QUEUED = -1

/**
 * Encrypts a message and commits, in one batch, the message, its envelope for my log and the
 * advanced session; the append to my log follows, and is repeated after a crash. Without a session
 * and without the contact's prekey bundle, the message is committed queued instead, and sealed by
 * sealQueued once the bundle arrives (the first thing a connection carries).
 */
export async function sendMessage(ctx: MessengerContext, c: Conversation, text: string): Promise<Message> {
  if (c.rec.blocked) throw new CairnError('blocked', 'this contact is blocked; unblock them to write to them')
  const now = Date.now()
  const payload = encodePayload({ text, sentAt: now })
  if (payload.length > MAX_PLAINTEXT_BYTES) throw new CairnError('invalid-argument', 'the message is too long')
  const { message, seq, envelope } = await commitOrForget(ctx.store, c, async (tx) => {
    const rec = { ...c.rec, sessions: [...c.rec.sessions] }
    const session = await sendingSession(ctx, c, rec, tx)
    const seq = rec.nextSeq
    const queued = !session || (rec.queued?.length ?? 0) > 0
    const block = queued ? QUEUED : rec.outCount
    const message: MessageRecord = { id: c.messageId(seq), dir: 'out', text, sentAt: now, receivedAt: now, block }
    tx.putJson(keys.message(c.tag, seq), message)
    let envelope: Buffer | null = null
    if (queued) {
      rec.queued = [...(rec.queued ?? []), seq]
    } else {
      envelope = session.encrypt(payload)
      tx.put(keys.outBlock(c.tag, block), seqBytes(seq))
      tx.put(keys.envelope(c.tag, block), envelope)
      tx.put(keys.session(c.tag, session.id), session.encode())
      cleanEnvelopes(c, tx)
      rec.outCount = block + 1
    }
    rec.nextSeq = seq + 1
    rec.lastMessage = { direction: 'out', text: preview(text), at: now }
    rec.lastActivity = now
    tx.putJson(keys.contact(c.tag), rec)
    return { message, seq, rec, envelope }
  })
  if (envelope) c.outbox.set(message.block, { envelope, seq })
  resumeAppends(ctx, c)
  const out = c.toMessage(message, seq)
  ctx.emitEvent({ type: 'message', message: out })
  ctx.emitContact(c)
  return out
}

/** The session to write with; starts one from their bundle if there is none; null without a bundle. */
async function sendingSession(ctx: MessengerContext, c: Conversation, rec: ContactRecord, tx: Tx): Promise<Session | null> {
  const active = rec.sessions[0]
  const current = active ? await loadSession(c, tx, active) : null
  if (current) return current
  if (!rec.bundle) return null
  const session = Session.initiate(ctx.identity, c.pk, decodeBundle(Buffer.from(rec.bundle, 'hex'), c.pk))
  adoptSession(c, rec, session, true)
  return session
}

/**
 * Encrypts the queued messages, oldest first, now that a session can start from the contact's
 * bundle, and commits them as one batch; the appends to my log follow. A queued message deleted
 * in the meantime is skipped: its text never leaves the device.
 */
export async function sealQueued(ctx: MessengerContext, c: Conversation): Promise<void> {
  if (!c.rec.queued?.length || c.rec.blocked) return
  const { sealed } = await commitOrForget(ctx.store, c, async (tx) => {
    const rec = { ...c.rec, sessions: [...c.rec.sessions], queued: [] }
    const sealed: Array<{ block: number; envelope: Buffer; seq: number }> = []
    const session = await sendingSession(ctx, c, rec, tx)
    if (!session) return { rec: c.rec, sealed }
    for (const seq of c.rec.queued ?? []) {
      const m = await tx.getJson<MessageRecord>(keys.message(c.tag, seq))
      if (!m) continue
      const block = rec.outCount++
      const envelope = session.encrypt(encodePayload({ text: m.text, sentAt: m.sentAt }))
      tx.putJson(keys.message(c.tag, seq), { ...m, block })
      tx.put(keys.outBlock(c.tag, block), seqBytes(seq))
      tx.put(keys.envelope(c.tag, block), envelope)
      sealed.push({ block, envelope, seq })
    }
    tx.put(keys.session(c.tag, session.id), session.encode())
    tx.putJson(keys.contact(c.tag), rec)
    return { rec, sealed }
  })
  for (const { block, envelope, seq } of sealed) c.outbox.set(block, { envelope, seq })
  resumeAppends(ctx, c)
}

/** Re-appends, in order, every envelope committed to my log for this contact but not yet in it. */
export function resumeAppends(ctx: MessengerContext, c: Conversation): void {
  c.appending = c.appending
    .then(async () => {
      const own = c.own
      while (own && !own.closed && own.length < c.rec.outCount) {
        const block = own.length
        const pending = c.outbox.get(block) ?? (await readOutgoing(ctx.store, c, block))
        await own.append(pending.envelope)
        c.outbox.delete(block)
        ctx.emitEvent({ type: 'message-state', contact: c.id, id: c.messageId(pending.seq), state: 'sent' })
      }
    })
    .catch((err) => ctx.reportError(err))
}

/** The stored copy of an envelope committed before a crash or restart, to append it unchanged. */
async function readOutgoing(store: Store, c: Conversation, block: number): Promise<{ envelope: Buffer; seq: number }> {
  const envelope = await store.get(keys.envelope(c.tag, block))
  const seq = await outgoingSeq(store, c, block)
  if (!envelope || seq === null) throw new CairnError('corrupt-profile', `the envelope of outgoing block ${block} is missing`)
  return { envelope, seq }
}

/** The history number of the message I wrote as a block of my log, if it is still kept. */
export async function outgoingSeq(store: Store, c: Conversation, block: number): Promise<number | null> {
  const value = await store.get(keys.outBlock(c.tag, block))
  return value ? Number(value.readBigUInt64BE(0)) : null
}

/** At open: forgets the stored copies of envelopes that reached my log before the last close. */
export async function dropAppendedEnvelopes(store: Store, c: Conversation): Promise<void> {
  const appended = c.own ? c.own.length : 0
  await store.write(async (tx) => {
    for await (const { key } of store.range(keys.envelopes(c.tag), { lt: keys.envelope(c.tag, appended) })) tx.del(key)
  })
  c.cleanedTo = appended
}

/** Deletes the stored copies of envelopes that have reached my log. */
function cleanEnvelopes(c: Conversation, tx: Tx): void {
  const appended = c.own ? c.own.length : 0
  for (let block = c.cleanedTo; block < appended; block++) tx.del(keys.envelope(c.tag, block))
  c.cleanedTo = Math.max(c.cleanedTo, appended)
}

function seqBytes(seq: number): Buffer {
  const b = Buffer.alloc(8)
  b.writeBigUInt64BE(BigInt(seq))
  return b
}

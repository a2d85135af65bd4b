import type { SecurityKind } from '../api/types'
import type { LogBlock } from '../log'
import { inspectEnvelope, MAX_ENVELOPE_BYTES, RatchetError, Session } from '../ratchet'
import { keys, type Tx } from '../store'
import { errorText, type MessengerContext } from './context'
import type { Conversation } from './conversation'
import { decodePayload, preview } from './payload'
import type { ContactRecord, MessageRecord } from './records'
import { adoptSession, commitOrForget, loadSession } from './sessions'
import { sealQueued } from './send'

type Opened = { session: Session; text: string; sentAt: number } | { problem: { kind: SecurityKind; detail: string } } | { orphan: true }

/**
 * Decrypts a step of consecutive blocks of the contact's log and commits, in one batch, the
 * messages, the advanced ratchet sessions and the new "consumed" mark. A block that fails is
 * consumed too (never retried, never decrypted twice) and reported as a security event.
 */
export async function consume(ctx: MessengerContext, c: Conversation, blocks: LogBlock[]): Promise<void> {
  const received: Array<{ message: MessageRecord; seq: number }> = []
  const problems: Array<{ kind: SecurityKind; detail: string }> = []
  const orphans: number[] = []
  await commitOrForget(ctx.store, c, async (tx) => {
    const rec = { ...c.rec, sessions: [...c.rec.sessions] }
    const touched = new Set<Session>()
    const now = Date.now()
    for (const { index, block } of blocks) {
      if (index < rec.consumed) continue
      rec.consumed = index + 1
      const opened = await openEnvelope(ctx, c, rec, tx, block, index)
      if ('orphan' in opened) {
        orphans.push(index)
        continue
      }
      if ('problem' in opened) {
        problems.push(opened.problem)
        continue
      }
      touched.add(opened.session)
      const seq = rec.nextSeq++
      const message: MessageRecord = { id: c.messageId(seq), dir: 'in', text: opened.text, sentAt: opened.sentAt, receivedAt: now, block: index }
      tx.putJson(keys.message(c.tag, seq), message)
      received.push({ message, seq })
      rec.unread++
      rec.lastMessage = { direction: 'in', text: preview(opened.text), at: opened.sentAt }
      rec.lastActivity = now
    }
    for (const session of touched) tx.put(keys.session(c.tag, session.id), session.encode())
    tx.putJson(keys.contact(c.tag), rec)
    return { rec }
  })
  if (orphans.length > 0) ctx.security(c, 'decrypt-failed', orphanDetail(orphans))
  for (const p of problems) ctx.security(c, p.kind, p.detail)
  for (const { message, seq } of received) ctx.emitEvent({ type: 'message', message: c.toMessage(message, seq) })
  if (c.peer) c.peer.send({ type: 'receipt', kind: 'delivered', upTo: c.rec.consumed - 1 })
  const total = c.theirs ? c.theirs.length : c.rec.consumed
  if (blocks.length > 1 || total > c.rec.consumed) {
    ctx.emitEvent({ type: 'sync', progress: { contact: c.id, done: c.rec.consumed, total } })
  }
  if (received.length > 0) ctx.emitContact(c)
  // A session they started lets what I queued for them go out now.
  if (received.length > 0) await sealQueued(ctx, c)
}

async function openEnvelope(ctx: MessengerContext, c: Conversation, rec: ContactRecord, tx: Tx, block: Buffer, index: number): Promise<Opened> {
  const fail = (kind: SecurityKind, why: string) => ({ problem: { kind, detail: `block ${index} of the contact's log ${why}` } })
  if (block.length > MAX_ENVELOPE_BYTES) return fail('decrypt-failed', `is oversized (${block.length} bytes)`)
  let plaintext: Buffer
  let session: Session
  try {
    const { sessionId, initial } = inspectEnvelope(block)
    const sid = sessionId.toString('hex')
    const known = rec.sessions.includes(sid) ? await loadSession(c, tx, sid) : null
    if (known) {
      session = known
      plaintext = session.decrypt(block)
    } else if (initial) {
      const started = Session.respond(ctx.identity, c.pk, block, (id) => ctx.prekeys.get(id) ?? null)
      session = started.session
      plaintext = started.plaintext
      adoptSession(c, rec, session, false)
    } else {
      return { orphan: true }
    }
  } catch (err) {
    if (err instanceof RatchetError && err.code === 'unknown-prekey') {
      return fail('decrypt-failed', `was made from a signed prekey of mine that expired and was deleted (${err.message})`)
    }
    return fail('decrypt-failed', `was rejected: ${errorText(err)}`)
  }
  try {
    const payload = decodePayload(plaintext)
    return { session, text: payload.text, sentAt: payload.sentAt }
  } catch (err) {
    return fail('protocol-violation', `holds a malformed message: ${errorText(err)}`)
  }
}

/**
 * Blocks written with sessions this device never had, as the old part of a contact's log after my
 * identity was restored from a backup: one event for a step of them, not one per block.
 */
function orphanDetail(blocks: number[]): string {
  const first = blocks[0]
  const last = blocks[blocks.length - 1]
  return blocks.length === 1
    ? `block ${first} of the contact's log belongs to no session I know`
    : `${blocks.length} blocks of the contact's log (${first} to ${last}) belong to no session I know (written before a restore from a backup?)`
}

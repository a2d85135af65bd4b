import type { SecurityKind } from '../api/types'
import type { LogBlock } from '../log'
import { inspectEnvelope, RatchetError, Session } from '../ratchet'
import { keys, type Tx } from '../store'
import type { ConversationDeps } from './deps'
import { errorText } from './events'
import { decodePayload, type MessageRef, type Payload } from '../protocol/payload'
import { seqBytes } from './outbox'
import { preview, refreshPreview } from './payload'
import { tombstone } from './deletion'
import { adoptTimer, stampExpiry } from './disappearing'
import type { ContactRecord, MessageRecord } from './records'
import type { SessionSet } from './sessions'
import { fileField } from './send'
import { stampEvent } from './message-events'
import type { ContactKey } from '../identity'

type Opened = { session: Session; payload: Payload; oneTimeId?: number } | { problem: { kind: SecurityKind; detail: string } } | { orphan: true }

/** One contact's side of reading their log: who they are and the sessions shared with them. */
export interface Counterpart {
  deps: ConversationDeps
  key: ContactKey
  tag: Buffer
  sessions: SessionSet
  messageId(seq: number): string
}

export interface ReadResult {
  received: Array<{ message: MessageRecord; seq: number }>
  /** Messages a block changed (a reaction, an edit, a delete), as they now stand, and lines about the conversation. */
  updated: Array<{ message: MessageRecord; seq: number }>
  /** Messages their writer deleted for everyone, as they were: their files are erased once this is committed. */
  erased: MessageRecord[]
  problems: Array<{ kind: SecurityKind; detail: string }>
  orphans: number[]
  /** My one-time prekeys that started a session in this write (their records are deleted in it). */
  usedOneTime: number[]
  /** Group invitations or acceptances kept in this write (keys.groupSignal) for the groups to act on. */
  signals: number
}

/**
 * Decrypts a step of consecutive blocks of the contact's log into a write: the messages, the
 * advanced ratchet sessions and the new "consumed" mark, on the draft record. A block that fails
 * is consumed too (never retried, never decrypted twice) and reported as a problem.
 */
export async function readBlocks(r: Counterpart, rec: ContactRecord, tx: Tx, blocks: LogBlock[]): Promise<ReadResult> {
  const result: ReadResult = { received: [], updated: [], erased: [], problems: [], orphans: [], usedOneTime: [], signals: 0 }
  const touched = new Set<Session>()
  const now = r.deps.now()
  for (const { index, block, size } of blocks) {
    if (index < rec.consumed) continue
    rec.consumed = index + 1
    const opened = block === null ? oversized(index, size) : await openEnvelope(r, rec, tx, block, index)
    if ('orphan' in opened) {
      result.orphans.push(index)
      continue
    }
    if ('problem' in opened) {
      result.problems.push(opened.problem)
      continue
    }
    touched.add(opened.session)
    if (opened.oneTimeId !== undefined) {
      tx.del(keys.oneTimePrekey(opened.oneTimeId))
      result.usedOneTime.push(opened.oneTimeId)
    }
    const { payload } = opened
    if (payload.kind === 'react' || payload.kind === 'edit' || payload.kind === 'delete') {
      const changed = await applyChange(r, rec, tx, payload)
      if (changed === 'deleted') continue
      if (changed) result.updated.push(changed)
      else result.problems.push({ kind: 'protocol-violation', detail: `block ${index} of the contact's log ${VERB[payload.kind]} a message that does not exist` })
      if (changed && payload.kind === 'delete') result.erased.push(changed.before)
      continue
    }
    if (payload.kind === 'timer') {
      const line = adoptTimer(r, rec, tx, payload, index)
      if (line) result.updated.push(line)
      continue
    }
    if (payload.kind === 'group') {
      tx.put(keys.groupSignal(r.tag, index), payload.data)
      result.signals++
      continue
    }
    // other kinds (and those of newer versions) wait for this version to learn them
    if (payload.kind !== 'text') continue
    const seq = rec.nextSeq++
    let message: MessageRecord = { id: r.messageId(seq), dir: 'in', text: payload.text, sentAt: payload.sentAt, receivedAt: now, block: index, ...fileField(payload.file) }
    stampExpiry(rec, tx, r.tag, seq, message, now)
    const quoted = payload.replyTo ? await quotedSeq(r, tx, payload.replyTo) : null
    const quote = quoted === null ? null : await tx.getJson<MessageRecord>(keys.message(r.tag, quoted))
    if (quoted !== null && quote && isNamed(quote, payload.replyTo!)) message.replyTo = r.messageId(quoted)
    message = await stampEvent(tx, r.tag, seq, message)
    tx.putJson(keys.message(r.tag, seq), message)
    tx.put(keys.inBlock(r.tag, index), seqBytes(seq))
    result.received.push({ message, seq })
    rec.unread++
    rec.lastMessage = { direction: 'in', text: preview(payload.text, payload.file), at: payload.sentAt }
    rec.lastActivity = now
  }
  for (const session of touched) tx.put(keys.session(r.tag, session.id), session.encode())
  tx.putJson(keys.contact(r.tag), rec)
  return result
}

const VERB = { react: 'reacts to', edit: 'edits', delete: 'deletes' } as const

function changed(record: MessageRecord, payload: Extract<Payload, { kind: 'react' | 'edit' | 'delete' }>): MessageRecord {
  if (payload.kind === 'react') return withReaction(record, 'theirs', payload.emoji)
  return payload.kind === 'edit' ? { ...record, text: payload.text, edited: true } : tombstone(record)
}

/**
 * A reaction, an edit or a delete from them applied to my copy of the message it names; 'deleted'
 * when that message is gone here (nothing to change, nothing wrong), null when there never was such
 * a message. The decoder lets an edit or a delete name only its writer's own message, and a block
 * of their log names a message of this conversation only.
 */
async function applyChange(
  r: Counterpart,
  rec: ContactRecord,
  tx: Tx,
  payload: Extract<Payload, { kind: 'react' | 'edit' | 'delete' }>
): Promise<{ message: MessageRecord; seq: number; before: MessageRecord } | 'deleted' | null> {
  const seq = await quotedSeq(r, tx, payload.to)
  if (seq === null) return null
  const record = await tx.getJson<MessageRecord>(keys.message(r.tag, seq))
  // a history number from before the contact was removed may now hold another message
  if (!record || record.deleted || !isNamed(record, payload.to)) return 'deleted'
  const message = await stampEvent(tx, r.tag, seq, changed(record, payload))
  tx.putJson(keys.message(r.tag, seq), message)
  refreshPreview(rec, record, message)
  return { message, seq, before: record }
}

/** Whether a stored message is the one a reference names: the same block of the same side's log. */
function isNamed(m: MessageRecord, ref: MessageRef): boolean {
  return m.block === ref.block && (m.dir === 'in') === ref.mine && m.timer === undefined
}

/**
 * The history entry a reply from them quotes: their own message is a block of their log, mine a
 * block of my log (named from their side). A quote of something not kept here leaves plain text.
 */
async function quotedSeq(r: Counterpart, tx: Tx, ref: MessageRef): Promise<number | null> {
  const value = await tx.get(ref.mine ? keys.inBlock(r.tag, ref.block) : keys.outBlock(r.tag, ref.block))
  return value ? Number(value.readBigUInt64BE(0)) : null
}

function oversized(index: number, size: number): Opened {
  return { problem: { kind: 'decrypt-failed', detail: `block ${index} of the contact's log is oversized (${size} bytes): not downloaded` } }
}

async function openEnvelope(r: Counterpart, rec: ContactRecord, tx: Tx, block: Buffer, index: number): Promise<Opened> {
  const fail = (kind: SecurityKind, why: string) => ({ problem: { kind, detail: `block ${index} of the contact's log ${why}` } })
  let plaintext: Buffer
  let session: Session
  let oneTimeId: number | null = null
  try {
    const { sessionId, initial } = inspectEnvelope(block)
    const sid = sessionId.toString('hex')
    const known = rec.sessions.includes(sid) ? await r.sessions.load(tx, sid) : null
    if (known) {
      session = known
      plaintext = session.decrypt(block)
    } else if (initial) {
      const started = Session.respond(r.deps.identity, r.key.bytes, block, (id) => r.deps.prekey(id), (id) => r.deps.oneTime(id))
      session = started.session
      plaintext = started.plaintext
      oneTimeId = started.oneTimeId
      r.sessions.adopt(rec, session, false)
    } else {
      return { orphan: true }
    }
  } catch (err) {
    if (err instanceof RatchetError && err.code === 'unknown-prekey') {
      return fail('decrypt-failed', `was made from a prekey of mine that is gone: expired, or a one-time prekey already used (${err.message})`)
    }
    return fail('decrypt-failed', `was rejected: ${errorText(err)}`)
  }
  try {
    return { session, payload: decodePayload(plaintext), ...(oneTimeId === null ? {} : { oneTimeId }) }
  } catch (err) {
    return fail('protocol-violation', `holds a malformed message: ${errorText(err)}`)
  }
}

/**
 * Blocks written with sessions this device never had, as the old part of a contact's log after my
 * identity was restored from a backup: one event for a step of them, not one per block.
 */
export function orphanDetail(blocks: number[]): string {
  const first = blocks[0]
  const last = blocks[blocks.length - 1]
  return blocks.length === 1
    ? `block ${first} of the contact's log belongs to no session I know`
    : `${blocks.length} blocks of the contact's log (${first} to ${last}) belong to no session I know (written before a restore from a backup?)`
}

/** A message record with one person's reaction set, or withdrawn with ''. */
export function withReaction(m: MessageRecord, who: 'mine' | 'theirs', emoji: string): MessageRecord {
  const reactions = { ...m.reactions }
  if (emoji) reactions[who] = emoji
  else delete reactions[who]
  const { reactions: _old, ...rest } = m
  return reactions.mine || reactions.theirs ? { ...rest, reactions } : rest
}

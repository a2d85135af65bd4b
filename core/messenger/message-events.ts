// Durable message events. Every change to a message record that the API reports as a 'message'
// event (one arrived, I sent one, an edit or a reaction) takes the next number of one profile-wide
// sequence, in the same atomic write as the change, and an index entry from that number to the
// message. A consumer that has seen the events up to N asks for those after N (replay) and then
// follows the live ones: nothing committed is missed, whatever crashed in between, and nothing
// comes twice. The counter is a record of its own, so numbers only grow, even when the message that
// took the last one is deleted; the index holds each message once, under its latest number (a
// replay shows it as it now stands), loses it when the message is deleted, and is carried into each
// new store epoch with every other live record.
import type { Message, MessageReplay } from '../api/types'
import { keys, TAG_BYTES, type Store, type Tx } from '../store'
import type { MessageRecord } from './records'

const REF_BYTES = TAG_BYTES + 8

/** Gives the message record the next event number, in the write under way; returns it stamped. */
export async function stampEvent(tx: Tx, tag: Buffer, seq: number, m: MessageRecord): Promise<MessageRecord> {
  const counter = await tx.get(keys.eventCounter())
  const next = (counter ? Number(counter.readBigUInt64BE(0)) : 0) + 1
  tx.put(keys.eventCounter(), u64(next))
  unstampEvent(tx, m)
  tx.put(keys.event(next), encodeEventRef(tag, seq))
  return { ...m, eventSeq: next }
}

/** Drops a deleted message's index entry, in the write that deletes it. */
export function unstampEvent(tx: Tx, m: MessageRecord): void {
  if (m.eventSeq !== undefined) tx.del(keys.event(m.eventSeq))
}

/**
 * Changes in the order of their numbers: events are emitted in that order (a consumer resuming
 * after the last number it saw must not have skipped a smaller one).
 */
export function inEventOrder<T extends { message: MessageRecord }>(changes: T[]): T[] {
  return [...changes].sort((x, y) => (x.message.eventSeq ?? 0) - (y.message.eventSeq ?? 0))
}

/** The value of an index entry: the contact's tag and the message's history number. */
export function encodeEventRef(tag: Buffer, seq: number): Buffer {
  return Buffer.concat([tag, u64(seq)])
}

export function decodeEventRef(value: Buffer): { tag: Buffer; seq: number } | null {
  if (value.length !== REF_BYTES) return null
  return { tag: value.subarray(0, TAG_BYTES), seq: Number(value.readBigUInt64BE(TAG_BYTES)) }
}

/** A conversation as the replay needs it: its tag, and how it shows one of its message records. */
export interface EventSource {
  tag: Buffer
  toMessage(m: MessageRecord, seq: number): Message
}

/** The message events of the API's replayMessages: those after a number, from the store. */
export class MessageEvents {
  constructor(
    private readonly store: Store,
    private readonly sources: () => Iterable<EventSource>
  ) {}

  async replay(since: number, limit = 500): Promise<MessageReplay> {
    const byTag = new Map<string, EventSource>()
    for (const s of this.sources()) byTag.set(s.tag.toString('hex'), s)
    const events: MessageReplay['events'] = []
    let more = false
    for await (const { key, value } of this.store.range(keys.events(), { gte: keys.event(since + 1) })) {
      if (events.length === limit) {
        more = true
        break
      }
      const eventSeq = Number(key.readBigUInt64BE(1))
      const ref = decodeEventRef(value)
      const source = ref && byTag.get(ref.tag.toString('hex'))
      const m = source ? await this.store.getJson<MessageRecord>(keys.message(source.tag, ref.seq)) : null
      // an entry that names no message kept here (a removed contact's) has nothing to show
      if (source && m && m.eventSeq === eventSeq) events.push({ seq: eventSeq, message: source.toMessage(m, ref.seq) })
    }
    return { events, more }
  }
}

function u64(n: number): Buffer {
  const b = Buffer.alloc(8)
  b.writeBigUInt64BE(BigInt(n))
  return b
}

// A page of a conversation's history, newest first, from the store.
import { CairnError } from '../api/errors'
import type { HistoryPage, HistoryQuery, Message } from '../api/types'
import { keys, seqOfKey, type Store } from '../store'
import type { MessageRecord } from './records'

export interface HistorySource {
  tag: Buffer
  toMessage(m: MessageRecord, seq: number): Message
}

export async function historyPage(store: Store, c: HistorySource, query: HistoryQuery): Promise<HistoryPage> {
  const limit = query.limit ?? 50
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new CairnError('invalid-argument', 'limit must be 1..500')
  let lt: Buffer | undefined
  if (query.before !== undefined) {
    if (!/^\d{1,15}$/.test(query.before)) throw new CairnError('invalid-argument', 'before is not a cursor from a previous page')
    lt = keys.message(c.tag, Number(query.before))
  }
  const messages: Message[] = []
  let oldest = 0
  for await (const { key, value } of store.range(keys.messages(c.tag), { reverse: true, limit, lt })) {
    oldest = seqOfKey(key)
    messages.push(c.toMessage(JSON.parse(value.toString('utf8')) as MessageRecord, oldest))
  }
  const before = messages.length === limit && oldest > 0 ? String(oldest) : null
  return { messages, before }
}

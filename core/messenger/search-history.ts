// The stored history of every conversation, oldest first in each, as the search index reads it at
// unlock. It is read a page at a time: a read holds the store's current core, and an epoch change
// (a deletion's erasure) waits for those reads, so one long read would hold up every write behind it.
import type { Message } from '../api/types'
import { keys, seqOfKey, type Store } from '../store'
import type { Directory } from './directory'
import type { MessageRecord } from './records'

const PAGE = 256

export async function* storedHistory(directory: Directory, store: Store): AsyncGenerator<Message> {
  for (const c of [...directory.conversations()]) {
    let from = 0
    for (let more = true; more && !store.isClosed; ) {
      const page: Message[] = []
      for await (const { key, value } of store.range(keys.messages(c.tag), { gte: keys.message(c.tag, from), limit: PAGE })) {
        from = seqOfKey(key) + 1
        page.push(c.toMessage(JSON.parse(value.toString('utf8')) as MessageRecord, from - 1))
      }
      more = page.length === PAGE
      yield* page
    }
  }
}

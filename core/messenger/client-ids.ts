// A send's client id: the caller's own name for one send, so that a send retried after a failure
// that left its outcome unknown (the node died, the connection dropped) stores and sends nothing
// new. The id is kept in the write that stores the message, under the store's keyed tag of it (the
// store's plaintext keys do not show it), and bounded: each send forgets a few of the contact's ids
// given more than CLIENT_IDS_KEPT sends ago or older than CLIENT_ID_DAYS.
import { CairnError } from '../api/errors'
import { STORE_CLIENT_ID } from '../protocol/caps'
import { CLIENT_ID_DAYS, CLIENT_IDS_KEPT } from '../protocol/limits'
import { keys, seqOfKey, type Store, type Tx } from '../store'
import type { Counterpart } from './receive'
import type { ClientIdRecord, ContactRecord, MessageRecord } from './records'

const DAY_MS = 24 * 60 * 60 * 1000
/** Old ids looked at per send: more than one, so the kept set shrinks back after a change of bound. */
const FORGET_PER_SEND = 16

function idTag(w: Counterpart, clientId: string): Buffer {
  return w.deps.store.tag(Buffer.concat([STORE_CLIENT_ID, Buffer.from(clientId, 'utf8')]))
}

/** The message an earlier send with this client id stored, or null when there was none (or it is forgotten). */
export async function earlierSend(w: Counterpart, tx: Tx, clientId: string): Promise<{ seq: number; message: MessageRecord } | null> {
  const known = await tx.getJson<ClientIdRecord>(keys.clientId(w.tag, idTag(w, clientId)))
  if (!known) return null
  const message = await tx.getJson<MessageRecord>(keys.message(w.tag, known.seq))
  if (!message) throw new CairnError('not-found', `the message first sent with client id ${clientId} has been deleted here since`)
  return { seq: known.seq, message }
}

/** Records, in the write that stores message `seq`, that this client id stored it. */
export async function rememberSend(w: Counterpart, rec: ContactRecord, tx: Tx, clientId: string, seq: number, now: number): Promise<void> {
  const id = idTag(w, clientId)
  const n = rec.clientIds ?? 0
  tx.putJson(keys.clientId(w.tag, id), { seq, at: now } satisfies ClientIdRecord)
  tx.put(keys.clientIdOrder(w.tag, n), id)
  rec.clientIds = n + 1
  for await (const { key, value } of w.deps.store.range(keys.clientIdOrders(w.tag), { limit: FORGET_PER_SEND })) {
    const kept = await tx.getJson<ClientIdRecord>(keys.clientId(w.tag, value))
    const recent = kept !== null && kept.at >= now - CLIENT_ID_DAYS * DAY_MS
    if (recent && seqOfKey(key) >= rec.clientIds - CLIENT_IDS_KEPT) break
    tx.del(key)
    if (kept) tx.del(keys.clientId(w.tag, value))
  }
}

/** Forgets every client id of a contact, in the write that removes them. */
export async function forgetClientIds(store: Store, tx: Tx, tag: Buffer): Promise<void> {
  for (const prefix of [keys.clientIds(tag), keys.clientIdOrders(tag)]) {
    for await (const { key } of store.range(prefix)) tx.del(key)
  }
}

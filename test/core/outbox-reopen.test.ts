// A profile holding thousands of messages queued for a contact who has never been online opens
// again, keeps every one of them in order, and delivers them all once the contact appears. Such a
// store holds more live entries than an epoch's block bound: each epoch move copies them all, so a
// bound counted from the start of the core rather than from the end of the copy moved epoch after
// epoch at every write and every open (the reopen never finished).
import { afterEach, describe, expect, it } from 'vitest'
import type { HistoryPage } from '../../core/api/types'
import type { Messenger } from '../../core/messenger'
import { waitFor } from '../helpers/core'
import { Messengers } from '../helpers/messengers'

const QUEUED = 3_000
const fx = new Messengers('outbox-reopen')
afterEach(() => fx.cleanup())

async function wholeHistory(m: Messenger, id: string): Promise<HistoryPage['messages']> {
  const out: HistoryPage['messages'] = []
  let before: string | undefined
  for (let n = 0; n < QUEUED; n++) {
    const page = await m.history(id, { limit: 500, ...(before ? { before } : {}) })
    out.push(...page.messages)
    if (!page.before) break
    before = page.before
  }
  return out.reverse()
}

describe('a profile with thousands of queued messages', () => {
  it('reopens, keeps them in order, and delivers each once when the contact appears', async () => {
    const a = await fx.create('Alice')
    const b = await fx.create('Bob')
    await fx.close(b)
    await a.m.addContact(b.m.id, 'Bob')
    const texts = Array.from({ length: QUEUED }, (_, i) => `queued ${i}`)
    for (const text of texts) await a.m.send(b.m.id, text)
    await fx.close(a)

    const a2 = await fx.reopen(a)
    const kept = await wholeHistory(a2.m, b.m.id)
    expect(kept.map((m) => m.text)).toEqual(texts)
    expect(new Set(kept.map((m) => m.state))).toEqual(new Set(['pending']))

    const b2 = await fx.reopen(b)
    await waitFor('the request reaches Bob', () => b2.m.listRequests().length === 1)
    await b2.m.acceptRequest(a2.m.id, 'Alice')
    const arrived = () => b2.events.flatMap((e) => (e.type === 'message' && e.message.direction === 'in' ? [e.message.text] : []))
    await waitFor('every queued message arrives', () => arrived().length >= QUEUED, 120_000)
    expect(arrived()).toEqual(texts)
  }, 400_000)
})

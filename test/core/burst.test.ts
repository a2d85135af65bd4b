// A burst of sends to one contact is written in batches (send-batch.ts): every message still gets
// its own number, event and result, reaches the contact once and in order, and a send that fails
// on its own (a client id naming a deleted message) fails alone.
import { afterEach, describe, expect, it } from 'vitest'
import { Fixture, pair, waitFor } from '../helpers/core'

const f = new Fixture()
afterEach(() => f.cleanup())

const BURST = 600

describe('a burst of sends', () => {
  it('reaches the contact once and in order; each send gets its own message; a failing client id fails alone', async () => {
    const { a, b, aId, bId } = await pair(f)
    const gone = await a.host.send(bId, 'to be deleted', undefined, 'gone')
    await a.host.deleteMessage(bId, gone.id)
    const texts = Array.from({ length: BURST }, (_, i) => `burst ${i}`)
    const sends = texts.map((text, i) => a.host.send(bId, text, undefined, i === 7 ? 'seven' : undefined))
    const repeated = a.host.send(bId, 'burst 7', undefined, 'seven')
    const failing = a.host.send(bId, 'again', undefined, 'gone')
    const sent = await Promise.all(sends)
    await expect(failing).rejects.toMatchObject({ code: 'not-found' })
    expect((await repeated).id).toBe(sent[7].id)
    expect(sent.map((m) => m.text)).toEqual(texts)
    expect(new Set(sent.map((m) => m.id)).size).toBe(BURST)

    const own = a.of('message').map((e) => e.message.text).filter((t) => t.startsWith('burst'))
    expect(own).toEqual(texts)
    const numbers = a.of('message').map((e) => e.seq!)
    expect(numbers).toEqual([...numbers].sort((x, y) => x - y))

    await waitFor('B has the burst', () => b.of('message').filter((e) => e.message.text.startsWith('burst')).length >= BURST, 60_000)
    const heard = b.of('message').map((e) => e.message.text)
    expect(heard.filter((t) => t.startsWith('burst'))).toEqual(texts)
    expect(heard).not.toContain('again')
    const history: string[] = []
    for (let page = await b.host.history(aId, { limit: 500 }); ; page = await b.host.history(aId, { limit: 500, before: page.before! })) {
      history.unshift(...page.messages.map((m) => m.text).reverse())
      if (!page.before) break
    }
    expect(history).toEqual(['to be deleted', ...texts])
  }, 120_000)
})

// Search over the decrypted history, on real profiles on disk: across conversations and within
// one, kept current as messages arrive, are edited and deleted, rebuilt after a restart, and never
// written to the disk (a deleted message is neither found nor left in the profile folder).
import { afterEach, describe, expect, it } from 'vitest'
import type { SearchHit } from '../../core/api/types'
import { Fixture, pair, PASS } from '../helpers/core'
import { exchange, Messengers, type MessengerNode } from '../helpers/messengers'
import { copyAndDump, holds } from './profile-dump'

const f = new Messengers('search')
const fixture = new Fixture()

afterEach(async () => {
  await f.cleanup()
  await fixture.cleanup()
})

async function reopen(node: MessengerNode): Promise<MessengerNode> {
  await f.close(node)
  return f.reopen(node)
}

const snippets = (hits: SearchHit[]) => hits.map((h) => h.snippet)
const marked = (h: SearchHit) => h.highlights.map(([s, e]) => h.snippet.slice(s, e))

describe('search', () => {
  it('finds messages across conversations and within one, as typed, newest first, and follows arrivals, edits and deletions', async () => {
    const a = await f.create('Alice')
    const b = await f.create('Bob')
    const c = await f.create('Carol')
    for (const [x, y] of [[a, b], [b, a], [a, c], [c, a]] as const) await x.m.addContact(y.m.id, y === a ? 'Alice' : 'Other')
    await exchange(b, a, 'Shall we meet at the Café Central tomorrow?')
    await exchange(a, b, 'Yes, the café at ten')
    await exchange(c, a, 'Carol here: the cafe was closed yesterday')
    await exchange(a, c, 'Nothing about coffee in this one')

    const all = await a.m.finder.search('cafe')
    expect(snippets(all)).toEqual(['Carol here: the cafe was closed yesterday', 'Yes, the café at ten', 'Shall we meet at the Café Central tomorrow?'])
    expect(all.map((h) => [h.contact, h.direction])).toEqual([[c.m.id, 'in'], [b.m.id, 'out'], [b.m.id, 'in']])
    expect(marked(all[2])).toEqual(['Café'])
    const ids = (await a.m.history(b.m.id)).messages.map((m) => m.id)
    expect(ids).toContain(all[1].message)

    expect(snippets(await a.m.finder.search('cafe', { contact: c.m.id }))).toEqual(['Carol here: the cafe was closed yesterday'])
    // words as typed so far, in any order; a lone letter only as the word being typed
    expect(snippets(await a.m.finder.search('caf'))).toHaveLength(3)
    expect(snippets(await a.m.finder.search('cafe cen'))).toEqual(['Shall we meet at the Café Central tomorrow?'])
    expect(snippets(await a.m.finder.search('cen caf'))).toEqual(['Shall we meet at the Café Central tomorrow?'])
    expect(await a.m.finder.search('c cafe')).toEqual([])
    expect(await a.m.finder.search('cafe', { limit: 1 })).toHaveLength(1)

    const mine = (await a.m.history(b.m.id)).messages.find((m) => m.text.startsWith('Yes'))!
    await a.m.edit(b.m.id, mine.id, 'Yes, the tea room at ten')
    expect(snippets(await a.m.finder.search('tea room'))).toEqual(['Yes, the tea room at ten'])
    expect(snippets(await a.m.finder.search('cafe ten'))).toEqual([])

    await exchange(b, a, 'cafe again, later')
    expect(snippets(await a.m.finder.search('cafe'))[0]).toBe('cafe again, later')

    await a.m.erasure.deleteMessage(c.m.id, all[0].message)
    expect(snippets(await a.m.finder.search('cafe'))).toEqual(['cafe again, later', 'Shall we meet at the Café Central tomorrow?'])
    await a.m.erasure.clearConversation(b.m.id)
    expect(await a.m.finder.search('cafe')).toEqual([])
    expect(snippets(await a.m.finder.search('coffee'))).toEqual(['Nothing about coffee in this one'])
    await a.m.removeContact(c.m.id)
    expect(await a.m.finder.search('coffee')).toEqual([])
    await expect(a.m.finder.search('coffee', { contact: c.m.id })).rejects.toMatchObject({ code: 'not-found' })
  }, 60_000)

  it('is rebuilt from the store after a restart; a deleted message is found neither there nor on disk', async () => {
    const a = await f.create('Alice')
    const b = await f.create('Bob')
    await a.m.addContact(b.m.id, 'Bob')
    await b.m.addContact(a.m.id, 'Alice')
    await exchange(b, a, 'ZEBRA-SECRET-WORD in a message to delete')
    await exchange(b, a, 'ostrich stays')
    await a.m.send(b.m.id, 'a long one: ' + 'padding '.repeat(100) + 'ostrich at the end')
    const doomed = (await a.m.finder.search('zebra'))[0]
    expect(doomed.snippet).toContain('ZEBRA-SECRET-WORD')
    const long = (await a.m.finder.search('ostrich'))[0]
    expect(long.snippet.startsWith('…')).toBe(true)
    expect(marked(long)).toEqual(['ostrich'])

    await a.m.erasure.deleteMessage(b.m.id, doomed.message)
    expect(await a.m.finder.search('zebra')).toEqual([])
    const a2 = await reopen(a)
    expect(await a2.m.finder.search('zebra')).toEqual([])
    expect(snippets(await a2.m.finder.search('ostrich'))).toHaveLength(2)
    expect(a2.m.finder.size).toBe(2)
    await f.close(a2)
    const dump = await copyAndDump(a.dir, await f.tempDir(), PASS)
    expect(holds(dump, Buffer.from('ZEBRA-SECRET-WORD'))).toBe(false)
    expect(holds(dump, Buffer.from('ostrich stays'))).toBe(true)
  }, 60_000)
})

describe('search through the API, with bad input', () => {
  it('refuses empty, oversized and malformed queries with a clear error, and takes regex characters literally', async () => {
    const { a, bId } = await pair(fixture)
    await a.host.send(bId, 'price: a+b (c) costs $5.00 [approx] .* ^start')
    await a.host.send(bId, 'plain words only')
    const api = a.host

    await expect(api.search('')).rejects.toMatchObject({ code: 'invalid-argument', message: 'search: text must not be empty' })
    await expect(api.search('x'.repeat(257))).rejects.toMatchObject({ code: 'invalid-argument', message: 'search: text must be at most 256 characters' })
    await expect(api.search('a', { limit: 0 })).rejects.toMatchObject({ code: 'invalid-argument' })
    await expect(api.search('a', { limit: 201 })).rejects.toMatchObject({ code: 'invalid-argument' })
    await expect(api.search('a', { limit: 1.5 })).rejects.toMatchObject({ code: 'invalid-argument' })
    await expect(api.search('a', { before: 'x' } as never)).rejects.toMatchObject({ code: 'invalid-argument', message: 'search: query has an unknown field "before"' })
    await expect(api.search(42 as never)).rejects.toMatchObject({ code: 'invalid-argument' })
    await expect(api.search('a', { contact: 'nobody' })).rejects.toMatchObject({ code: 'invalid-contact-id' })

    for (const q of ['.*', '(', '[', '\\', '$^', '+?', '...', '🙂', '   ']) expect(await api.search(q), q).toEqual([])
    expect((await api.search('a+b')).map((h) => h.snippet)).toEqual(['price: a+b (c) costs $5.00 [approx] .* ^start'])
    expect((await api.search('[approx]')).length).toBe(1)
    expect((await api.search('^start')).length).toBe(1)
    // the longest query allowed, of one-letter words (each as a prefix would match much): answered,
    // the repeated word counting once, as the start of a word, being the last ('a+b', 'approx')
    expect((await api.search('a '.repeat(128))).map((h) => h.snippet)).toEqual(['price: a+b (c) costs $5.00 [approx] .* ^start'])
    expect((await api.search('p', { contact: bId })).map((h) => h.snippet)).toHaveLength(2)
  }, 60_000)
})

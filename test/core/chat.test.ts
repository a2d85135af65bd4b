import { afterEach, describe, expect, it } from 'vitest'
import type { Directory } from '../../core/messenger/directory'
import { Fixture, pair, PASS, waitFor } from '../helpers/core'

const f = new Fixture()
afterEach(() => f.cleanup())

describe('two nodes that added each other', () => {
  it('chat both ways with delivery and read receipts', async () => {
    const { a, b, aId, bId } = await pair(f)
    const sent = await a.host.send(bId, 'hello Bob')
    expect(sent.direction).toBe('out')
    expect(['pending', 'sent']).toContain(sent.state)

    await waitFor('B receives', () => b.of('message').some((e) => e.message.text === 'hello Bob'))
    const got = b.of('message').find((e) => e.message.text === 'hello Bob')!.message
    expect(got).toMatchObject({ contact: aId, direction: 'in', state: 'delivered', sentAt: sent.sentAt })
    await waitFor('A sees delivered', () => a.of('message-state').some((e) => e.id === sent.id && e.state === 'delivered'))

    await b.host.markRead(aId)
    await waitFor('A sees read', () => a.of('message-state').some((e) => e.id === sent.id && e.state === 'read'))
    expect((await a.host.history(bId)).messages[0]).toMatchObject({ id: sent.id, state: 'read' })

    await b.host.send(aId, 'hi Alice')
    await waitFor('A receives', () => a.of('message').some((e) => e.message.direction === 'in' && e.message.text === 'hi Alice'))
    const [bobOnA] = await a.host.contacts()
    expect(bobOnA).toMatchObject({ id: bId, name: 'Bob', announcedName: 'Bob', unread: 1, presence: 'online' })
    expect(bobOnA.lastMessage).toMatchObject({ direction: 'in', text: 'hi Alice' })
  })

  it('keeps the receipts it heard across a close, with the contact away when it reopens', async () => {
    const { a, b, aId, bId } = await pair(f)
    const sent = await a.host.send(bId, 'read before close')
    await waitFor('B receives', () => b.of('message').some((e) => e.message.text === 'read before close'))
    await b.host.markRead(aId)
    await waitFor('A sees read', () => a.of('message-state').some((e) => e.id === sent.id && e.state === 'read'))
    const aDir = a.dir
    await b.close()
    await a.close()
    const a2 = await f.host(aDir)
    await a2.host.unlock(PASS)
    expect((await a2.host.contacts())[0].presence).toBe('offline')
    expect((await a2.host.history(bId)).messages[0]).toMatchObject({ id: sent.id, state: 'read' })
  })

  it('pages history newest first with a cursor', async () => {
    const { a, b, aId, bId } = await pair(f)
    for (let i = 0; i < 25; i++) await a.host.send(bId, `m${i}`)
    await waitFor('B has 25', () => b.of('message').length === 25)
    const first = await b.host.history(aId, { limit: 10 })
    expect(first.messages.map((m) => m.text)).toEqual(Array.from({ length: 10 }, (_, i) => `m${24 - i}`))
    const second = await b.host.history(aId, { limit: 10, before: first.before! })
    expect(second.messages.map((m) => m.text)).toEqual(Array.from({ length: 10 }, (_, i) => `m${14 - i}`))
    const third = await b.host.history(aId, { limit: 10, before: second.before! })
    expect(third.messages.map((m) => m.text)).toEqual(['m4', 'm3', 'm2', 'm1', 'm0'])
    expect(third.before).toBeNull()
  })

  it('relays typing and survives a restart of both sides', async () => {
    const { a, b, aId, bId } = await pair(f)
    await a.host.setTyping(bId, true)
    await waitFor('typing seen', () => b.of('typing').some((e) => e.contact === aId && e.typing))
    await a.host.send(bId, 'before restart')
    await waitFor('delivered', () => b.of('message').length === 1)

    const aDir = a.dir
    const bDir = b.dir
    await a.close()
    await b.close()
    const a2 = await f.host(aDir)
    const b2 = await f.host(bDir)
    await a2.host.unlock(PASS)
    await b2.host.unlock(PASS)
    expect((await a2.host.contacts()).map((c) => c.id)).toEqual([bId])
    expect((await b2.host.history(aId)).messages.map((m) => m.text)).toEqual(['before restart'])

    await a2.host.send(bId, 'after restart')
    await b2.host.send(aId, 'reply after restart')
    await waitFor('B gets the new one', () => b2.of('message').some((e) => e.message.text === 'after restart'))
    await waitFor('A gets the reply', () => a2.of('message').some((e) => e.message.text === 'reply after restart'))
    const texts = (await b2.host.history(aId)).messages.map((m) => m.text)
    expect(texts.at(-1)).toBe('before restart')
    expect(texts.slice(0, 2).sort()).toEqual(['after restart', 'reply after restart'])
  })

  it('converges when both sides start a session before hearing from the other', async () => {
    const { a, b, aId, bId } = await pair(f)
    const aDir = a.dir
    const bDir = b.dir
    await a.close()
    await b.close()

    const aAlone = await f.host(aDir)
    await aAlone.host.unlock(PASS)
    await aAlone.host.send(bId, 'a1')
    await aAlone.close()
    const bAlone = await f.host(bDir)
    await bAlone.host.unlock(PASS)
    await bAlone.host.send(aId, 'b1')
    await bAlone.close()

    const a2 = await f.host(aDir)
    const b2 = await f.host(bDir)
    await a2.host.unlock(PASS)
    await b2.host.unlock(PASS)
    await waitFor('both first messages', () => a2.of('message').some((e) => e.message.text === 'b1') && b2.of('message').some((e) => e.message.text === 'a1'))
    for (let round = 2; round <= 4; round++) {
      await a2.host.send(bId, `a${round}`)
      await b2.host.send(aId, `b${round}`)
    }
    await waitFor('later messages both ways', () => a2.of('message').some((e) => e.message.text === 'b4') && b2.of('message').some((e) => e.message.text === 'a4'))
    expect(a2.of('security')).toEqual([])
    expect(b2.of('security')).toEqual([])
    type Inside = { messenger: { directory: Directory } }
    const activeOf = (n: typeof a2) => [...(n.host as unknown as Inside).messenger.directory.conversations()][0].record.sessions[0]
    expect(activeOf(a2)).toBe(activeOf(b2))
    expect((await b2.host.history(aId)).messages.filter((m) => m.direction === 'in').map((m) => m.text)).toEqual(['a4', 'a3', 'a2', 'a1'])
  })

  it('removing and adding a contact again continues both logs where they stood', async () => {
    const { a, b, aId, bId } = await pair(f)
    await a.host.send(bId, 'one')
    await b.host.send(aId, 'reply one')
    const incoming = (n: typeof a) => n.of('message').filter((e) => e.message.direction === 'in').map((e) => e.message.text)
    await waitFor('first exchange', () => incoming(b).length === 1 && incoming(a).includes('reply one'))
    // wiping the history proves the passphrase, even on an unlocked profile: a wrong one changes nothing
    await expect(a.host.removeContact('not the passphrase', bId)).rejects.toMatchObject({ code: 'wrong-passphrase' })
    await expect(a.host.clearConversation(PASS.toUpperCase(), bId)).rejects.toMatchObject({ code: 'wrong-passphrase' })
    expect((await a.host.contacts()).map((c) => c.id)).toEqual([bId])
    expect((await a.host.history(bId)).messages.map((m) => m.text).sort()).toEqual(['one', 'reply one'])
    await a.host.removeContact(PASS, bId)
    expect(await a.host.contacts()).toEqual([])
    expect(a.of('contact-removed').map((e) => e.id)).toEqual([bId])
    await a.host.addContact(bId, 'Bob again')
    await waitFor('reconnected', async () => (await a.host.contacts())[0].presence !== 'offline')

    // B writes first, with the session it already had: A must still hold that session.
    await b.host.send(aId, 'reply two')
    await waitFor('A receives reply two', () => a.of('message').some((e) => e.message.text === 'reply two'))
    await a.host.send(bId, 'two')
    await waitFor('B receives two', () => b.of('message').some((e) => e.message.text === 'two'))
    expect(incoming(b)).toEqual(['one', 'two'])
    expect((await a.host.history(bId)).messages.map((m) => m.text).sort()).toEqual(['reply two', 'two'])
    expect([...a.of('security'), ...b.of('security')]).toEqual([])
  })
})

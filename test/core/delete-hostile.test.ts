// Hostile deletes and timers through a real ratchet and real logs: a delete of the reader's own
// message, of a block that is no message, of another conversation's message, malformed ones, and
// timers out of range are each refused with a security event; nothing is deleted, the setting does
// not change, and the conversation goes on. The sender stands in for a hostile client by writing,
// for marked texts, a payload of its own in place of plain text.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Fixture, pair, PASS, waitFor } from '../helpers/core'

const AS_WIRE = '\u0000wire:'

vi.mock('../../core/protocol/payload', async (importActual) => {
  const actual = await importActual<typeof import('../../core/protocol/payload')>()
  return {
    ...actual,
    encodePayload: (p: Parameters<typeof actual.encodePayload>[0]) =>
      p.kind === 'text' && p.text.startsWith(AS_WIRE) ? Buffer.from(p.text.slice(AS_WIRE.length)) : actual.encodePayload(p)
  }
})

const f = new Fixture()
afterEach(() => f.cleanup())

describe('hostile deletes and timers', () => {
  it('are refused without deleting anything or breaking the conversation', async () => {
    const { a, b, aId, bId } = await pair(f)
    // B also talks to Carol: blocks 0..4 of B's log for her hold messages
    const c = await f.host()
    const cId = (await c.host.create('Carol', PASS)).id
    await b.host.addContact(cId, 'Carol')
    await c.host.addContact(bId, 'Bob')
    for (let i = 0; i < 5; i++) await b.host.send(cId, `to carol ${i}`)
    await waitFor('Carol has them', () => c.of('message').filter((e) => e.message.direction === 'in').length === 5)

    await b.host.send(aId, 'b zero')
    await waitFor('A has B\'s', () => a.of('message').some((e) => e.message.text === 'b zero'))
    await a.host.send(bId, 'a zero')
    await waitFor('B has A\'s', () => b.of('message').some((e) => e.message.text === 'a zero'))
    const s = Date.now()
    const wire = (o: unknown) => b.host.send(aId, AS_WIRE + JSON.stringify(o))
    await wire({ v: 2, k: 'd', s, o: [0, 0] }) // A's own message
    await wire({ v: 2, k: 'd', s, o: [1, 4] }) // a block B wrote for Carol, not for A
    await wire({ v: 2, k: 'd', s, o: [1, 2] }) // B's own block 2: a hostile block, no message
    await wire({ v: 2, k: 'd', s, o: 'all' })
    await wire({ v: 2, k: 'd', s: -5, o: [1, 0] })
    await wire({ v: 2, k: 'x', s, n: 12345 })
    await wire({ v: 2, k: 'x', s, n: -300 })
    await wire({ v: 2, k: 'x', s, n: '300' })
    await b.host.send(aId, 'after the hostile ones')
    await waitFor('the text after them', () => a.of('message').some((e) => e.message.text === 'after the hostile ones'))

    const details = a.of('security').map((e) => e.event.detail)
    expect(a.of('security').every((e) => e.event.kind === 'protocol-violation')).toBe(true)
    expect(details).toHaveLength(8)
    expect(details[0]).toMatch(/did not write/)
    expect(details[1]).toMatch(/deletes a message that does not exist/)
    expect(details[2]).toMatch(/deletes a message that does not exist/)
    expect(details[3]).toMatch(/reference is malformed/)
    expect(details[4]).toMatch(/timestamp/)
    for (const d of details.slice(5)) expect(d).toMatch(/timer is out of range/)
    const history = (await a.host.history(bId)).messages
    expect(history.map((m) => [m.text, m.deleted ?? false])).toEqual([
      ['after the hostile ones', false],
      ['a zero', false],
      ['b zero', false]
    ])
    expect((await a.host.contacts())[0].disappearing).toBeUndefined()
    expect(c.of('message').filter((e) => e.message.deleted)).toEqual([])

    // a real delete from B still works, and A still writes to B
    const real = await b.host.send(aId, 'b takes this back')
    await waitFor('A has it', () => a.of('message').some((e) => e.message.text === 'b takes this back'))
    await b.host.deleteForEveryone(aId, real.id)
    await waitFor('A sees it deleted', () => a.of('message').some((e) => e.message.deleted === true))
    await a.host.send(bId, 'still both ways')
    await waitFor('B still receives', () => b.of('message').some((e) => e.message.text === 'still both ways'))
  }, 90_000)
})

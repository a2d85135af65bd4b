// Payloads this version does not show, through a real ratchet and real logs: a newer client's kinds
// are skipped quietly (no message, no warning) and a malformed known kind is refused with a security
// event; either way the conversation goes on. The sender stands in for a newer or a hostile client
// by writing, for marked texts, a payload of its own in place of plain text.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Fixture, pair, waitFor } from '../helpers/core'

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

describe('payloads of kinds this version does not show', () => {
  it('skips newer kinds and versions quietly, refuses malformed ones loudly, and the chat goes on', async () => {
    const { a, b, aId, bId } = await pair(f)
    const wire = (o: unknown) => b.host.send(aId, AS_WIRE + JSON.stringify(o))
    await b.host.send(aId, 'before')
    await wire({ v: 2, k: 'poll', s: Date.now(), q: 'lunch?' })
    await wire({ v: 3, k: 't', s: Date.now(), t: 'from the future' })
    await wire({ v: 2, k: 't', s: Date.now(), t: 'quoting nothing', q: [1, 999] })
    await b.host.send(aId, 'after the new kinds')
    await waitFor('the text after them', () => a.of('message').some((e) => e.message.text === 'after the new kinds'))
    expect(a.of('message').map((e) => e.message.text)).toEqual(['before', 'quoting nothing', 'after the new kinds'])
    // a reply to a message that does not exist is kept as plain text
    expect(a.of('message')[1].message.replyTo).toBeUndefined()
    expect(a.of('security')).toEqual([])

    await wire({ v: 2, k: 'e', s: Date.now(), o: [0, 0], t: 'your words, changed' })
    await wire({ v: 2, k: 'x', s: Date.now(), n: 12345 })
    await wire({ v: 2, k: 'r', s: Date.now(), o: [0, 999], e: '👍' })
    await b.host.send(aId, 'after the hostile ones')
    await waitFor('the text after them', () => a.of('message').some((e) => e.message.text === 'after the hostile ones'))
    const security = a.of('security').map((e) => e.event)
    expect(security.map((e) => e.kind)).toEqual(['protocol-violation', 'protocol-violation', 'protocol-violation'])
    expect(security[0].detail).toMatch(/did not write/)
    expect(security[1].detail).toMatch(/out of range/)
    expect(security[2].detail).toMatch(/reacts to a message that does not exist/)
    expect((await a.host.history(bId)).messages.map((m) => m.text)).toEqual(['after the hostile ones', 'after the new kinds', 'quoting nothing', 'before'])

    await a.host.send(bId, 'still both ways')
    await waitFor('B still receives', () => b.of('message').some((e) => e.message.text === 'still both ways'))
  })
})

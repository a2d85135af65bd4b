// Edits between two real nodes: only the writer edits, both sides show the new text marked edited,
// and only the writer keeps the earlier texts.
import { afterEach, describe, expect, it } from 'vitest'
import { Fixture, pair, PASS, waitFor } from '../helpers/core'

const f = new Fixture()
afterEach(() => f.cleanup())

describe('edits', () => {
  it('replace the text on both sides, keep the history for the writer only, and refuse others', async () => {
    const { a, b, aId, bId } = await pair(f)
    const sent = await a.host.send(bId, 'meet at 6')
    await waitFor('B has it', () => b.of('message').some((e) => e.message.text === 'meet at 6'))
    const atB = b.of('message').find((e) => e.message.text === 'meet at 6')!.message

    const edited = await a.host.edit(bId, sent.id, 'meet at 7')
    expect(edited).toMatchObject({ id: sent.id, text: 'meet at 7', edited: true, edits: ['meet at 6'] })
    await waitFor('B sees the edit', () => b.of('message').some((e) => e.message.id === atB.id && e.message.text === 'meet at 7'))
    const seenByB = b.of('message').filter((e) => e.message.id === atB.id).at(-1)!.message
    expect(seenByB.edited).toBe(true)
    expect(seenByB.edits).toBeUndefined()
    // the edited message is the last one: both contact lists show its new text
    expect((await a.host.contacts())[0].lastMessage).toMatchObject({ direction: 'out', text: 'meet at 7' })
    await waitFor('B lists the new text', async () => (await b.host.contacts())[0].lastMessage?.text === 'meet at 7')
    expect(b.of('contact').at(-1)!.contact.lastMessage).toMatchObject({ direction: 'in', text: 'meet at 7' })

    await expect(b.host.edit(aId, atB.id, 'meet never')).rejects.toMatchObject({ code: 'invalid-argument' })
    await expect(a.host.edit(bId, 'nonsense', 'x')).rejects.toMatchObject({ code: 'not-found' })
    await a.host.edit(bId, sent.id, 'meet at 8')
    await waitFor('B sees the second edit', () => b.of('message').some((e) => e.message.id === atB.id && e.message.text === 'meet at 8'))
    expect(b.of('security')).toEqual([])

    await a.close()
    const a2 = await f.host(a.dir)
    await a2.host.unlock(PASS)
    const kept = (await a2.host.history(bId)).messages.find((m) => m.id === sent.id)!
    expect(kept).toMatchObject({ text: 'meet at 8', edited: true, edits: ['meet at 6', 'meet at 7'] })
    await a2.host.send(bId, 'still chatting')
    await waitFor('B still receives', () => b.of('message').some((e) => e.message.text === 'still chatting'))
  })
})

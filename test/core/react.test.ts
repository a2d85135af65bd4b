// Reactions between two real nodes: one per person per message, replaced or withdrawn, seen on
// both sides whichever of them wrote the message, kept across a restart; the chat goes on around them.
import { afterEach, describe, expect, it } from 'vitest'
import type { Message } from '../../core/api/types'
import { Fixture, pair, PASS, waitFor } from '../helpers/core'

const f = new Fixture()
afterEach(() => f.cleanup())

describe('reactions', () => {
  it('set, replace and withdraw on both sides; bad ones refused; messages still flow and are delivered', async () => {
    const { a, b, aId, bId } = await pair(f)
    const photo = await a.host.send(bId, 'look at this view')
    await waitFor('B has it', () => b.of('message').some((e) => e.message.text === 'look at this view'))
    const atB = b.of('message').find((e) => e.message.text === 'look at this view')!.message
    const latest = (node: typeof a, id: string): Message | undefined =>
      node.of('message').filter((e) => e.message.id === id).at(-1)?.message

    expect((await b.host.react(aId, atB.id, '👍🏽')).reactions).toEqual({ mine: '👍🏽' })
    await waitFor('A sees the thumbs up', () => latest(a, photo.id)?.reactions?.theirs === '👍🏽')
    await a.host.react(bId, photo.id, '❤️')
    await waitFor('B sees both', () => {
      const r = latest(b, atB.id)?.reactions
      return r?.mine === '👍🏽' && r?.theirs === '❤️'
    })
    await b.host.react(aId, atB.id, '😂')
    await waitFor('A sees it replaced', () => latest(a, photo.id)?.reactions?.theirs === '😂')
    await b.host.react(aId, atB.id, '')
    await waitFor('A sees it withdrawn', () => latest(a, photo.id)?.reactions?.theirs === undefined)
    expect(latest(a, photo.id)?.reactions).toEqual({ mine: '❤️' })

    await expect(b.host.react(aId, atB.id, '👍👍')).rejects.toMatchObject({ code: 'invalid-argument' })
    await expect(b.host.react(aId, atB.id, '\u202e')).rejects.toMatchObject({ code: 'invalid-argument' })
    await expect(b.host.react(aId, 'nonsense', '👍')).rejects.toMatchObject({ code: 'not-found' })
    await expect(a.host.react(bId, atB.id, '👍')).rejects.toMatchObject({ code: 'not-found' })

    // reaction blocks sit between messages in the logs: messages still arrive and are delivered
    const after = await a.host.send(bId, 'after the reactions')
    await waitFor('B gets it', () => b.of('message').some((e) => e.message.text === 'after the reactions'))
    await waitFor('A sees it delivered', async () => (await a.host.history(bId, { limit: 1 })).messages[0].state !== 'pending')
    expect((await a.host.history(bId, { limit: 1 })).messages[0].id).toBe(after.id)
    expect(a.of('security')).toEqual([])
    expect(b.of('security')).toEqual([])

    await b.close()
    const b2 = await f.host(b.dir)
    await b2.host.unlock(PASS)
    const kept = (await b2.host.history(aId)).messages.find((m) => m.id === atB.id)!
    expect(kept.reactions).toEqual({ theirs: '❤️' })
  })

  it('a reaction or an edit to a message the receiver deleted changes nothing there and is no violation', async () => {
    const { a, b, aId, bId } = await pair(f)
    const sent = await a.host.send(bId, 'soon deleted at B')
    await waitFor('B has it', () => b.of('message').some((e) => e.message.text === 'soon deleted at B'))
    const atB = b.of('message').find((e) => e.message.text === 'soon deleted at B')!.message
    await b.host.deleteMessage(aId, atB.id)

    await a.host.react(bId, sent.id, '👍')
    await a.host.edit(bId, sent.id, 'edited after B deleted it')
    await a.host.send(bId, 'still talking')
    await waitFor('B gets the next message', () => b.of('message').some((e) => e.message.text === 'still talking'))
    expect((await b.host.history(aId)).messages.map((m) => m.text)).toEqual(['still talking'])
    expect(b.of('message').filter((e) => e.message.id === atB.id)).toHaveLength(1)
    expect(b.of('security')).toEqual([])
  })
})

// Replies between two real nodes: each side's reply names the quoted message by its block, and the
// other side finds its own copy of that message, whichever of them wrote it.
import { afterEach, describe, expect, it } from 'vitest'
import { Fixture, pair, waitFor } from '../helpers/core'

const f = new Fixture()
afterEach(() => f.cleanup())

describe('replies', () => {
  it('quote a message of either side, survive a restart, and refuse what is not in the conversation', async () => {
    const { a, b, aId, bId } = await pair(f)
    const question = await a.host.send(bId, 'lunch at noon?')
    await waitFor('B has the question', () => b.of('message').some((e) => e.message.text === 'lunch at noon?'))
    const atB = b.of('message').find((e) => e.message.text === 'lunch at noon?')!.message

    // B quotes A's message; A sees it quoting her own copy
    const answer = await b.host.send(aId, 'yes, the usual place', atB.id)
    expect(answer.replyTo).toBe(atB.id)
    await waitFor('A has the answer', () => a.of('message').some((e) => e.message.text === 'yes, the usual place'))
    expect(a.of('message').find((e) => e.message.text === 'yes, the usual place')!.message.replyTo).toBe(question.id)

    // A quotes B's message; B sees it quoting his own
    const answerAtA = a.of('message').find((e) => e.message.text === 'yes, the usual place')!.message
    await a.host.send(bId, 'see you there', answerAtA.id)
    await waitFor('B has the reply', () => b.of('message').some((e) => e.message.text === 'see you there'))
    expect(b.of('message').find((e) => e.message.text === 'see you there')!.message.replyTo).toBe(answer.id)

    // ids from nowhere or from another conversation are refused before anything is written
    for (const bad of ['nonsense', `${question.id}0`, `${question.id}9999`, answer.id]) {
      await expect(a.host.send(bId, 'to what?', bad)).rejects.toMatchObject({ code: 'not-found' })
    }
    expect((await a.host.history(bId)).messages.map((m) => m.text)).not.toContain('to what?')

    // the quote is kept across a restart
    await b.close()
    const b2 = await f.host(b.dir)
    await b2.host.unlock('correct horse battery staple')
    const kept = (await b2.host.history(aId)).messages.find((m) => m.text === 'see you there')!
    expect(kept.replyTo).toBe(answer.id)
  })
})

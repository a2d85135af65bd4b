import { describe, expect, it } from 'vitest'
import type { HistoryPage, Message, Profile } from '../../core/api/types'
import { useChildNodes, type ChildNode } from '../helpers/child-process'
import { Fixture, PASS, waitFor } from '../helpers/core'

const f = new Fixture()
const nodes = useChildNodes(f)

async function allHistory(node: ChildNode, contact: string): Promise<Message[]> {
  const out: Message[] = []
  let before: string | undefined
  for (let i = 0; i < 100; i++) {
    const page = await node.call<HistoryPage>('history', contact, before ? { limit: 500, before } : { limit: 500 })
    out.push(...page.messages)
    if (!page.before) break
    before = page.before
  }
  return out.reverse()
}

const KILLS = 10

/** Bob in this process and Alice in a child process (the one the tests kill), contacts of each other. */
async function childSenderAndBob() {
  const b = await f.host()
  const bId = (await b.host.create('Bob', PASS)).id
  const aDir = await f.dir()
  const a = await nodes.spawn(aDir)
  const aId = (await a.call<Profile>('create', 'Alice', PASS)).id
  await a.call('addContact', bId, 'Bob')
  await b.host.addContact(aId, 'Alice')
  return { a, aDir, b, bId }
}

/**
 * What B received from the killed sender: each text once; those numbered after `prefix` in the order
 * sent; every acknowledged one among them; and all of it exactly the sender's own history.
 */
async function expectOnceInOrder(received: string[], prefix: string, acknowledged: Set<string>, a: ChildNode, bId: string): Promise<void> {
  expect(new Set(received).size).toBe(received.length)
  const numbers = received.filter((t) => t.startsWith(prefix)).map((t) => Number(t.slice(prefix.length)))
  expect(numbers).toEqual([...numbers].sort((x, y) => x - y))
  for (const text of acknowledged) expect(received).toContain(text)
  const sent = (await allHistory(a, bId)).map((m) => m.text)
  expect(received).toEqual(sent)
}

describe('crash safety', () => {
  it(`B killed with SIGKILL ${KILLS} times while A streams ends with every message exactly once, in order`, async () => {
    const a = await f.host()
    const aId = (await a.host.create('Alice', PASS)).id
    const bDir = await f.dir()
    let b = await nodes.spawn(bDir)
    const bId = (await b.call<Profile>('create', 'Bob', PASS)).id
    await a.host.addContact(bId, 'Bob')
    await b.call('addContact', aId, 'Alice')

    const texts: string[] = []
    let streaming = true
    const stream = (async () => {
      for (let i = 0; streaming && i < 5000; i++) {
        texts.push(`m${i}`)
        await a.host.send(bId, `m${i}`)
        await new Promise((r) => setTimeout(r, 10))
      }
    })()

    for (let kill = 0; kill < KILLS; kill++) {
      const seen = b.events.filter((e) => e.type === 'message').length
      const deadline = Date.now() + 10_000
      await waitFor('some traffic before the kill', () => b.events.filter((e) => e.type === 'message').length > seen || Date.now() > deadline)
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 60)))
      await nodes.kill(b)
      b = await nodes.spawn(bDir)
      await b.call('unlock', PASS)
    }
    streaming = false
    await stream

    // A reconnect after a SIGKILL can wait for the dead connection to time out (about 10 s).
    // Waits on B's history itself: that is what is asserted (test/core/unread.test.ts holds the
    // unread count to history).
    await waitFor('B has everything', async () => (await allHistory(b, aId)).length >= texts.length, 120_000)
    const got = (await allHistory(b, aId)).map((m) => m.text)
    expect(got).toEqual(texts)
    await waitFor('A sees all delivered', async () => {
      const page = await a.host.history(bId, { limit: 1 })
      return page.messages[0]?.state === 'delivered'
    }, 60_000)
  }, 300_000)

  it('A killed with SIGKILL while sending: every acknowledged message reaches B exactly once, in order, after restarts', async () => {
    const { aDir, b, bId, a: first } = await childSenderAndBob()
    let a = first

    const acknowledged = new Set<string>()
    let n = 0
    for (let kill = 0; kill < 5; kill++) {
      const inFlight: Promise<unknown>[] = []
      for (let i = 0; i < 40; i++) {
        const text = `a${n++}`
        inFlight.push(a.call('send', bId, text).then(() => acknowledged.add(text), () => undefined))
      }
      await new Promise((r) => setTimeout(r, 20 + Math.floor(Math.random() * 80)))
      await nodes.kill(a)
      await Promise.allSettled(inFlight)
      a = await nodes.spawn(aDir)
      await a.call('unlock', PASS)
    }
    const last = `a${n}`
    await a.call('send', bId, last)
    acknowledged.add(last)

    await waitFor('the last message reaches B', () => b.of('message').some((e) => e.message.text === last), 60_000)
    await expectOnceInOrder(b.of('message').map((e) => e.message.text), 'a', acknowledged, a, bId)
  }, 240_000)

  it('A killed with SIGKILL in the middle of a burst of 1,000 sends: every acknowledged send reaches B once, in order, after the restart', async () => {
    const { aDir, b, bId, a: first } = await childSenderAndBob()
    let a = first
    // a session first, so that the burst is sealed and appended as it is committed
    await a.call('send', bId, 'hello')
    await waitFor('the first message reaches B', () => b.of('message').some((e) => e.message.text === 'hello'), 60_000)

    const acknowledged = new Set<string>()
    const burst = Array.from({ length: 1000 }, (_, i) => a.call('send', bId, `b${i}`).then(() => acknowledged.add(`b${i}`), () => undefined))
    await waitFor('part of the burst acknowledged', () => acknowledged.size >= 200, 60_000)
    await nodes.kill(a)
    await Promise.allSettled(burst)
    a = await nodes.spawn(aDir)
    await a.call('unlock', PASS)
    await a.call('send', bId, 'last')

    await waitFor('the last message reaches B', () => b.of('message').some((e) => e.message.text === 'last'), 120_000)
    await expectOnceInOrder(b.of('message').map((e) => e.message.text), 'b', acknowledged, a, bId)
  }, 240_000)
})

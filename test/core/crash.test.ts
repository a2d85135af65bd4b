import { afterEach, describe, expect, it } from 'vitest'
import type { HistoryPage, Message, Profile } from '../../core/api/types'
import { ChildNode } from './child-process'
import { Fixture, PASS, waitFor } from './helpers'

const f = new Fixture()
const children: ChildNode[] = []
afterEach(async () => {
  for (const c of children.splice(0)) await c.kill()
  await f.cleanup()
})

async function spawnNode(dir: string): Promise<ChildNode> {
  const node = new ChildNode(dir, (await f.net()).bootstrap)
  children.push(node)
  await node.ready
  return node
}

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

describe('crash safety', () => {
  it(`B killed with SIGKILL ${KILLS} times while A streams ends with every message exactly once, in order`, async () => {
    const a = await f.host()
    const aId = (await a.host.create('Alice', PASS)).id
    const bDir = await f.dir()
    let b = await spawnNode(bDir)
    const bId = (await b.call<Profile>('create', 'Bob', PASS)).id
    await a.host.addContact(bId, 'Bob')
    await b.call('addContact', aId, 'Alice')

    const texts: string[] = []
    let streaming = true
    const stream = (async () => {
      for (let i = 0; streaming && i < 2000; i++) {
        texts.push(`m${i}`)
        await a.host.send(bId, `m${i}`)
        await new Promise((r) => setTimeout(r, 2))
      }
    })()

    for (let kill = 0; kill < KILLS; kill++) {
      const seen = b.events.filter((e) => e.type === 'message').length
      const deadline = Date.now() + 10_000
      await waitFor('some traffic before the kill', () => b.events.filter((e) => e.type === 'message').length > seen || Date.now() > deadline)
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 60)))
      await b.kill()
      children.splice(children.indexOf(b), 1)
      b = await spawnNode(bDir)
      await b.call('unlock', PASS)
    }
    streaming = false
    await stream

    await waitFor('B has everything', async () => (await allHistory(b, aId)).length >= texts.length, 60_000)
    const got = (await allHistory(b, aId)).map((m) => m.text)
    expect(got).toEqual(texts)
    await waitFor('A sees all delivered', async () => {
      const page = await a.host.history(bId, { limit: 1 })
      return page.messages[0]?.state === 'delivered'
    })
  })
})

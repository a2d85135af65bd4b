import { afterEach, describe, expect, it } from 'vitest'
import { decodeContactId } from '../../core/identity'
import type { Network, Refusal } from '../../core/net'
import { Fixture, PASS, waitFor, type Node } from '../helpers/core'

const f = new Fixture()
afterEach(() => f.cleanup())

async function strangers(): Promise<{ a: Node; b: Node; aId: string; bId: string }> {
  const a = await f.host()
  const b = await f.host()
  const aId = (await a.host.create('Alice', PASS)).id
  const bId = (await b.host.create('Bob', PASS)).id
  return { a, b, aId, bId }
}

/** The handshakes from this contact ID that the node's firewall turned away as blocked, from now on. */
function blockedHandshakes(node: Node, id: string): Buffer[] {
  const key = decodeContactId(id)
  const seen: Buffer[] = []
  const { network } = (node.host as unknown as { messenger: { network: Network } }).messenger
  network.on('refused', (remoteKey: Buffer, why: Refusal) => {
    if (why === 'blocked' && remoteKey.equals(key)) seen.push(remoteKey)
  })
  return seen
}

describe('contact requests', () => {
  it('only A adds B: B sees a request with A’s name, accepts, and they chat', async () => {
    const { a, b, aId, bId } = await strangers()
    await a.host.addContact(bId, 'Bob')
    await waitFor('request at B', () => b.of('request').length === 1)
    expect(b.of('request')[0].request).toMatchObject({ id: aId, name: 'Alice' })
    expect((await b.host.requests()).map((r) => r.id)).toEqual([aId])
    expect(await b.host.contacts()).toEqual([])

    const contact = await b.host.acceptRequest(aId)
    expect(contact).toMatchObject({ id: aId, name: 'Alice', announcedName: 'Alice' })
    expect(await b.host.requests()).toEqual([])
    expect(b.of('request-removed').map((e) => e.id)).toEqual([aId])

    await a.host.send(bId, 'thanks for accepting')
    await waitFor('B receives', () => b.of('message').some((e) => e.message.text === 'thanks for accepting'))
    await b.host.send(aId, 'welcome')
    await waitFor('A receives', () => a.of('message').some((e) => e.message.text === 'welcome'))
  })

  it("hidden: a stranger's plain request never arrives; one through a one-time invite does, once", async () => {
    const { a, b, aId, bId } = await strangers()
    expect((await b.host.updateSettings({ hidden: true })).hidden).toBe(true)
    const stranger = await f.host()
    await stranger.host.create('Mallory', PASS)
    await stranger.host.addContact(bId, 'Bob')

    const invite = await b.host.createInvite()
    expect(invite.code).toMatch(/^cairn-invite:/)
    expect(invite.expiresAt).toBeGreaterThan(Date.now())
    await expect(a.host.acceptInvite(invite.code.slice(0, -3), 'Bob')).rejects.toMatchObject({ code: 'invalid-argument' })
    const contact = await a.host.acceptInvite(invite.code, 'Bob')
    expect(contact).toMatchObject({ id: bId, name: 'Bob' })
    await waitFor('request at B through the invite', () => b.of('request').length === 1)
    expect(b.of('request')[0].request).toMatchObject({ id: aId, name: 'Alice' })
    await b.host.acceptRequest(aId)
    await a.host.send(bId, 'found you')
    await waitFor('B receives', () => b.of('message').some((e) => e.message.text === 'found you'))
    expect(b.of('request')).toHaveLength(1)
    expect((await b.host.settings()).hidden).toBe(true)
  })

  for (const how of ['declineRequest', 'blockRequest'] as const) {
    it(`after ${how}, A can never reach B again`, async () => {
      const { a, b, aId, bId } = await strangers()
      await a.host.addContact(bId, 'Bob')
      await waitFor('request at B', () => b.of('request').length === 1)
      await b.host[how](aId)
      expect(await b.host.requests()).toEqual([])
      await expect(b.host[how](aId)).rejects.toMatchObject({ code: 'not-found' })

      const turnedAway = blockedHandshakes(b, aId)
      await a.host.send(bId, 'let me in')
      await a.host.removeContact(PASS, bId)
      await a.host.addContact(bId, 'Bob again')
      // A's new request reached B's firewall and was turned away there: it can arrive no other way.
      await waitFor("B's firewall turning A away", () => turnedAway.length > 0)
      expect(b.of('request')).toHaveLength(1)
      expect(b.of('message')).toHaveLength(0)
      expect(await b.host.contacts()).toEqual([])
      expect((await a.host.contacts())[0].presence).toBe('offline')
      await expect(b.host.acceptRequest(aId)).rejects.toMatchObject({ code: 'not-found' })
    })
  }

  for (const how of ['declineRequest', 'blockRequest'] as const) {
    it(`after ${how} and a restart, the same stranger's request is still refused`, async () => {
      const { a, b, aId, bId } = await strangers()
      await a.host.addContact(bId, 'Bob')
      await waitFor('request at B', () => b.of('request').length === 1)
      await b.host[how](aId)
      const bDir = b.dir
      await b.close()

      const b2 = await f.host(bDir)
      await b2.host.unlock(PASS)
      const turnedAway = blockedHandshakes(b2, aId)
      await a.host.removeContact(PASS, bId)
      await a.host.addContact(bId, 'Bob again')
      await waitFor("B's firewall turning A away after the restart, or A's request", () => turnedAway.length > 0 || b2.of('request').length > 0)
      expect(b2.of('request')).toHaveLength(0)
      expect(await b2.host.requests()).toEqual([])
      expect(await b2.host.contacts()).toEqual([])
    })
  }

  it('offline delivery: 500 messages written while B was away arrive in order, exactly once, and A sees them delivered', async () => {
    const a = await f.host()
    const b = await f.host()
    const aId = (await a.host.create('Alice', PASS)).id
    const bId = (await b.host.create('Bob', PASS)).id
    await a.host.addContact(bId, 'Bob')
    await b.host.addContact(aId, 'Alice')
    await waitFor('connected', async () => (await a.host.contacts())[0].presence !== 'offline')
    const bDir = b.dir
    await b.close()

    const texts = Array.from({ length: 500 }, (_, i) => `offline ${i}`)
    for (const text of texts) await a.host.send(bId, text)

    const b2 = await f.host(bDir)
    await b2.host.unlock(PASS)
    await waitFor('all 500 arrive', () => b2.of('message').length >= 500, 60_000)
    expect(b2.of('message').map((e) => e.message.text)).toEqual(texts)
    const stored: string[] = []
    let before: string | undefined
    for (let i = 0; i < 3; i++) {
      const page = await b2.host.history(aId, { limit: 500, before })
      stored.push(...page.messages.map((m) => m.text))
      if (!page.before) break
      before = page.before
    }
    expect(stored.reverse()).toEqual(texts)
    expect((await b2.host.contacts())[0].unread).toBe(500)
    expect(b2.of('sync').at(-1)?.progress).toMatchObject({ contact: aId, done: 500, total: 500 })
    await waitFor('A sees the last one delivered', async () => (await a.host.history(bId, { limit: 1 })).messages[0].state === 'delivered')
    expect((await a.host.history(bId, { limit: 500 })).messages.every((m) => m.state === 'delivered')).toBe(true)
  })
})

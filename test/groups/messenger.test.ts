// Groups through real messengers on a loopback testnet: invitations over the 1:1 sessions, the
// group swarm on each node's own DHT, sender keys to members who are not each other's contacts,
// a removal that locks the removed member out, and a message relayed by another member after its
// author went offline.
import { afterEach, describe, expect, it } from 'vitest'
import type { GroupInfo } from '../../core/api/types'
import type { Group } from '../../core/groups'
import type { Messenger } from '../../core/messenger'
import { encodeAccept, encodeInvite, encodeRemoved } from '../../core/groups'
import { randomBytes } from '../../core/crypto'
import { encodePayload } from '../../core/protocol/payload'
import { Fixture, pair, PASS, waitFor, type Node } from '../helpers/core'
import { createObservedTestnet } from '../helpers/observed-testnet'

const f = new Fixture()
afterEach(() => f.cleanup())

async function person(name: string): Promise<{ node: Node; id: string }> {
  const node = await f.host()
  return { node, id: (await node.host.create(name, PASS)).id }
}

async function befriend(a: { node: Node; id: string }, b: { node: Node; id: string }, aName: string, bName: string): Promise<void> {
  await a.node.host.addContact(b.id, bName)
  await b.node.host.addContact(a.id, aName)
  await waitFor(`${aName} and ${bName} connected`, async () => {
    const ca = (await a.node.host.contacts()).find((c) => c.id === b.id)
    const cb = (await b.node.host.contacts()).find((c) => c.id === a.id)
    // Their hellos (names and prekey bundles) have arrived: an invitation can be sealed to them.
    return ca?.announcedName === bName && cb?.announcedName === aName
  })
}

async function groupOn(node: Node, id: string): Promise<GroupInfo | undefined> {
  return (await node.host.groups()).find((g) => g.id === id)
}

async function texts(node: Node, id: string): Promise<string[]> {
  const page = await node.host.groupHistory(id, { limit: 500 })
  return page.messages.filter((m) => m.kind === 'text' && !m.unreadable).map((m) => m.text).reverse()
}

/** The open messenger behind a host (the test reaches the group replica to feed it blocks by hand). */
function messengerOf(node: Node): Messenger {
  return (node.host as unknown as { messenger: Messenger }).messenger
}

interface ChatInside {
  group: Group
  log: { length: number; key: Buffer; get(i: number): Promise<Buffer> }
}

function chatOf(node: Node, id: string): ChatInside {
  const chats = (messengerOf(node).groups as unknown as { chats: Map<string, ChatInside> }).chats
  return chats.get(id) as ChatInside
}

describe('groups through messengers', () => {
  it('create, invite, chat, remove one who can then decrypt nothing new, and relay through a member', async () => {
    const alice = await person('Alice')
    const bob = await person('Bob')
    const carol = await person('Carol')
    const dave = await person('Dave')
    for (const [p, name] of [[bob, 'Bob'], [carol, 'Carol'], [dave, 'Dave']] as const) await befriend(alice, p, 'Alice', name)

    const created = await alice.node.host.createGroup('Friends', [bob.id, carol.id, dave.id])
    expect(created).toMatchObject({ name: 'Friends', status: 'member', admin: true })
    const gid = created.id
    for (const p of [bob, carol, dave]) {
      await waitFor('member with all four', async () => {
        const g = await groupOn(p.node, gid)
        return g?.status === 'member' && g.members.length === 4
      })
    }
    const onBob = (await groupOn(bob.node, gid))!
    expect(onBob.name).toBe('Friends')
    expect(onBob.members.find((m) => m.id === alice.id)).toMatchObject({ role: 'admin', name: 'Alice', contact: true })
    expect(onBob.members.find((m) => m.id === carol.id)).toMatchObject({ role: 'member', contact: false })

    const hello = await alice.node.host.sendToGroup(gid, 'hello all')
    expect(hello).toMatchObject({ direction: 'out', kind: 'text', text: 'hello all', of: 3 })
    for (const p of [bob, carol, dave]) await waitFor('hello arrives', async () => (await texts(p.node, gid)).includes('hello all'))
    const event = bob.node.of('group-message').find((e) => e.message.text === 'hello all')!.message
    expect(event).toMatchObject({ author: alice.id, authorName: 'Alice', direction: 'in', group: gid })

    // Bob is no contact of Carol or Dave: his sender key reaches them through bundles passed on in the group.
    await bob.node.host.sendToGroup(gid, 'hi from bob')
    for (const p of [alice, carol, dave]) await waitFor('Bob read by all', async () => (await texts(p.node, gid)).includes('hi from bob'))
    const bobLine = (await carol.node.host.groupHistory(gid)).messages.find((m) => m.text === 'hi from bob')!
    expect(bobLine.authorName).toBe(bob.id.slice(0, 10))

    await bob.node.host.markGroupRead(gid)
    await waitFor('Alice hears Bob read it', async () => (await alice.node.host.groupReceipts(gid, hello.id)).read.includes(bob.id))
    await waitFor('delivered to all three', async () => (await alice.node.host.groupReceipts(gid, hello.id)).delivered.length === 3)
    expect((await groupOn(carol.node, gid))!.unread).toBe(2)

    await alice.node.host.removeFromGroup(gid, carol.id)
    for (const p of [bob, dave]) await waitFor('removal seen', async () => (await groupOn(p.node, gid))?.members.length === 3)
    await waitFor('Carol sees she was removed', async () => (await groupOn(carol.node, gid))?.status === 'removed')
    const system = (await carol.node.host.groupHistory(gid)).messages.filter((m) => m.kind === 'system').map((m) => m.text)
    expect(system).toContain('Alice removed You')
    await expect(carol.node.host.sendToGroup(gid, 'still here?')).rejects.toMatchObject({ code: 'invalid-argument' })

    await alice.node.host.sendToGroup(gid, 'after removal')
    await bob.node.host.sendToGroup(gid, 'bob after removal')
    for (const p of [bob, dave]) {
      await waitFor('both after-removal messages', async () => {
        const t = await texts(p.node, gid)
        return t.includes('after removal') && t.includes('bob after removal')
      })
    }
    expect(await texts(carol.node, gid)).not.toContain('after removal')

    // Even holding every block of every member's log, Carol decrypts none written after her removal.
    const carolGroup = chatOf(carol.node, gid).group
    for (const p of [alice, bob, dave]) {
      const { log } = chatOf(p.node, gid)
      for (let i = carolGroup.nextIndex(log.key); i < log.length; i++) {
        try {
          carolGroup.ingest(log.key, i, await log.get(i))
        } catch {
          // a block Carol's replica refuses is one she reads nothing from either
        }
      }
    }
    expect(carolGroup.messages().length).toBeGreaterThanOrEqual(4)
    const readable = carolGroup.messages().flatMap((m) => (m.plaintext ? [m.plaintext.toString()] : []))
    expect(readable).toHaveLength(2)
    expect(readable.some((t) => t.includes('after removal'))).toBe(false)

    // Dave goes offline; Alice writes and leaves; Dave gets her message from Bob.
    const daveDir = dave.node.dir
    await dave.node.close()
    await alice.node.host.sendToGroup(gid, 'while dave was away')
    await waitFor('Bob has it', async () => (await texts(bob.node, gid)).includes('while dave was away'))
    await waitFor('Bob holds all of Alice’s log', async () => {
      const a = chatOf(alice.node, gid)
      return chatOf(bob.node, gid).group.length(a.log.key) === a.log.length
    })
    await alice.node.close()
    const dave2 = await f.host(daveDir)
    await dave2.host.unlock(PASS)
    await waitFor('Dave gets it through Bob', async () => (await texts(dave2, gid)).includes('while dave was away'), 60_000)
    const all = await texts(dave2, gid)
    expect([...all].sort()).toEqual(['after removal', 'bob after removal', 'hello all', 'hi from bob', 'while dave was away'])
    expect(all.slice(0, 2)).toEqual(['hello all', 'hi from bob'])
  }, 180_000)

  it('refuses an acceptance it never asked for, and bounds invitations waiting to be joined', async () => {
    const { a, b, aId, bId } = await pair(f)
    await waitFor('hellos', async () => (await a.host.contacts())[0]?.announcedName === 'Bob' && (await b.host.contacts())[0]?.announcedName === 'Alice')
    const toAlice = (messengerOf(b) as unknown as { directory: { require(id: string): { sendSignal(p: Buffer): Promise<void> } } }).directory.require(aId)
    const signal = (data: Buffer) => encodePayload({ kind: 'group', sentAt: Date.now(), data })
    await toAlice.sendSignal(signal(encodeAccept({ group: randomBytes(32), log: randomBytes(32) })))
    await waitFor('a security event', () => a.of('security').some((e) => e.event.contact === bId && /never sent/.test(e.event.detail)))

    for (let i = 0; i < 17; i++) {
      const genesis = { group: randomBytes(32), creator: randomBytes(32), creatorLog: randomBytes(32) }
      await toAlice.sendSignal(signal(encodeInvite({ genesis, groupSecret: randomBytes(32), name: `spam ${i}` })))
    }
    await waitFor('the 17th is refused', () => a.of('security').some((e) => /16 groups are already waiting/.test(e.event.detail)))
    const groups = await a.host.groups()
    expect(groups).toHaveLength(16)
    expect(groups.every((g) => g.status === 'joining')).toBe(true)
    expect(await a.host.sendToGroup(groups[0].id, 'x').catch((e: { code: string }) => e.code)).toBe('invalid-argument')
  }, 120_000)

  it('a member removed while away learns it from the admin over their 1:1 session', async () => {
    const { a, b, aId, bId } = await pair(f)
    await waitFor('hellos', async () => (await a.host.contacts())[0]?.announcedName === 'Bob' && (await b.host.contacts())[0]?.announcedName === 'Alice')
    const { id } = await a.host.createGroup('Pair', [bId])
    await waitFor('Bob joined', async () => (await groupOn(b, id))?.status === 'member')
    await a.host.sendToGroup(id, 'before')
    await waitFor('Bob reads', async () => (await texts(b, id)).includes('before'))

    const bobDir = b.dir
    await b.close()
    await a.host.removeFromGroup(id, bId)
    await a.host.sendToGroup(id, 'after')
    const b2 = await f.host(bobDir)
    await b2.host.unlock(PASS)
    await waitFor('Bob is told he was removed', async () => (await groupOn(b2, id))?.status === 'removed')
    expect(await texts(b2, id)).toEqual(['before'])
    await expect(b2.host.sendToGroup(id, 'hello?')).rejects.toMatchObject({ code: 'invalid-argument' })

    // Invited back: a new log, and only what is written from then on.
    await a.host.inviteToGroup(id, [bId])
    await waitFor('Bob is back', async () => (await groupOn(b2, id))?.status === 'member' && (await groupOn(a, id))?.members.length === 2)
    await a.host.sendToGroup(id, 'welcome back')
    await waitFor('Bob reads it', async () => (await texts(b2, id)).includes('welcome back'))
    // What Bob read as a member before may open again (the sealed key came from his still-current
    // signed prekey); what was written while he was out never does.
    expect(await texts(b2, id)).not.toContain('after')

    // Bob is no admin of Alice's group: his word that she was removed from it changes nothing.
    const toAlice = (messengerOf(b2) as unknown as { directory: { require(id: string): { sendSignal(p: Buffer): Promise<void> } } }).directory.require(aId)
    const { id: second } = await a.host.createGroup('Other', [])
    await toAlice.sendSignal(encodePayload({ kind: 'group', sentAt: Date.now(), data: encodeRemoved(Buffer.from(second, 'hex')) }))
    await waitFor('a security event', () => a.of('security').some((e) => e.event.contact === bId && /no admin of/.test(e.event.detail)))
    expect((await groupOn(a, second))?.status).toBe('member')
  }, 120_000)

  it('messages do not announce or look up the group topic again: only a change of members, topics or my status does', async () => {
    const observed = await createObservedTestnet(3)
    f.testnet = observed
    const alice = await person('Alice')
    const bob = await person('Bob')
    await befriend(alice, bob, 'Alice', 'Bob')
    const gid = (await alice.node.host.createGroup('Two', [bob.id])).id
    await waitFor('Bob a member', async () => (await groupOn(bob.node, gid))?.status === 'member')
    await alice.node.host.sendToGroup(gid, 'first')
    await waitFor('first arrives', async () => (await texts(bob.node, gid)).includes('first'))
    const topics = new Set(chatOf(alice.node, gid).group.topics().map((t) => t.toString('hex')))
    const onTopics = (from: number) => observed.seen.slice(from).filter((r) => (r.command === 'announce' || r.command === 'lookup') && topics.has(r.target.toString('hex'))).length
    const from = observed.seen.length
    for (let i = 0; i < 20; i++) {
      await alice.node.host.sendToGroup(gid, `m${i}`)
      await bob.node.host.sendToGroup(gid, `r${i}`)
    }
    await waitFor('all arrive', async () => (await texts(bob.node, gid)).includes('m19') && (await texts(alice.node, gid)).includes('r19'))
    // Each refresh announces to and looks up on the testnet's nodes: 40 messages each refreshing
    // on both sides made hundreds of requests.
    expect(onTopics(from)).toBeLessThan(20)
  })
})


import type HyperDHT from 'hyperdht'
import Hyperswarm from 'hyperswarm'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { cryptoReady } from '../../core/crypto'
import { Group, GroupFeed, GroupSwarm, type FeedProblem } from '../../core/groups'
import { createLocalTestnet, type LocalTestnet } from '../../core/net/testnet'
import { join, people, replicaOnDisk, texts, until, type Person } from './helpers'

beforeAll(cryptoReady)

const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {})
})

interface Member {
  group: Group
  feed: GroupFeed
  swarm: GroupSwarm
  problems: FeedProblem[]
  /** The public key that signs the member's log, which is also their key in the group's swarm. */
  swarmKey: Buffer
}

async function member(testnet: LocalTestnet, p: Person, make: (log: Buffer) => Group, dht: HyperDHT = testnet.createNode()): Promise<Member> {
  const problems: FeedProblem[] = []
  const { group, feed, keyPair, close } = await replicaOnDisk(p, make, (problem) => problems.push(problem))
  const swarm = new GroupSwarm(group, feed, dht, keyPair)
  cleanups.push(async () => {
    await swarm.destroy()
    await close()
  })
  return { group, feed, swarm, problems, swarmKey: keyPair.publicKey }
}

describe('a group swarmed on its topic', () => {
  it('members replicate and read; a stranger on the topic and a removed member are refused', async () => {
    const testnet = await createLocalTestnet(3)
    cleanups.push(() => testnet.destroy())
    const [alice, bob, carol] = people('alice', 'bob', 'carol')
    let first: ReturnType<typeof Group.create> | null = null
    const a = await member(testnet, alice, (log) => {
      first = Group.create('swarmed', { me: alice.id, myLog: log, sealer: alice.sealer })
      return first.group
    })
    await a.feed.append([first!.entry])
    const invitation = a.group.invitation()
    const b = await member(testnet, bob, () => join(bob, invitation.genesis, undefined, invitation.groupSecret))
    const c = await member(testnet, carol, () => join(carol, invitation.genesis, undefined, invitation.groupSecret))
    const carolKey = c.swarmKey
    await a.feed.append(a.group.addMember(bob.id.publicKey, bob.log))
    await a.feed.append(a.group.addMember(carol.id.publicKey, carol.log))
    await a.feed.append(a.group.send(Buffer.from('hello swarm')))

    for (const m of [a, b, c]) {
      await m.feed.follow()
      await m.swarm.refresh()
    }
    await until(() => texts(b.group).includes('hello swarm') && texts(c.group).includes('hello swarm'), 'Bob and Carol read Alice')
    // A stranger who knows the topic (as a former member would) announces and looks it up too, once
    // the members know they are members.
    const stranger = new Hyperswarm({ dht: testnet.createNode() })
    cleanups.push(() => stranger.destroy())
    let strangerConnections = 0
    stranger.on('connection', (conn) => {
      strangerConnections++
      conn.on('error', () => {})
    })
    await stranger.join(a.group.topics()[0]).flushed()

    await b.feed.append(b.group.send(Buffer.from('bob here')))
    await until(() => texts(a.group).includes('bob here') && texts(c.group).includes('bob here'), 'Alice and Carol read Bob')
    await stranger.flush()
    expect(strangerConnections).toBe(0)
    expect(a.swarm.admits(stranger.keyPair.publicKey)).toBe(false)
    expect(a.swarm.admits(carolKey)).toBe(true)

    const before = a.group.topics()[0]
    await a.feed.append(a.group.removeMember(carol.id.publicKey))
    await until(() => !b.group.isMember(carol.id.publicKey), 'Bob sees the removal')
    await a.swarm.refresh()
    await b.swarm.refresh()
    expect(a.group.topics()[0].equals(before)).toBe(false)
    expect(a.swarm.admits(carolKey)).toBe(false)
    await until(() => a.swarm.connections === 1 && b.swarm.connections === 1, 'only Alice and Bob stay connected')
    await a.feed.append(a.group.send(Buffer.from('without carol')))
    await until(() => texts(b.group).includes('without carol'), 'Bob reads Alice after the removal')
    expect(texts(c.group)).not.toContain('without carol')
    expect([...a.problems, ...b.problems]).toEqual([])
  })

  it("Alice's message reaches Carol through Bob over the swarm after Alice went offline", async () => {
    const testnet = await createLocalTestnet(3)
    cleanups.push(() => testnet.destroy())
    const [alice, bob, carol] = people('alice', 'bob', 'carol')
    let first: ReturnType<typeof Group.create> | null = null
    const a = await member(testnet, alice, (log) => {
      first = Group.create('relay', { me: alice.id, myLog: log, sealer: alice.sealer })
      return first.group
    })
    await a.feed.append([first!.entry])
    const invitation = a.group.invitation()
    const b = await member(testnet, bob, () => join(bob, invitation.genesis, undefined, invitation.groupSecret))
    const c = await member(testnet, carol, () => join(carol, invitation.genesis, undefined, invitation.groupSecret))
    await a.feed.append(a.group.addMember(bob.id.publicKey, bob.log))
    await a.feed.append(a.group.addMember(carol.id.publicKey, carol.log))
    await a.feed.append(a.group.send(Buffer.from('for carol, via bob')))
    for (const m of [a, b]) {
      await m.feed.follow()
      await m.swarm.refresh()
    }
    // Bob holds all of Alice's log before Alice leaves.
    await until(() => b.group.length(alice.log) === a.group.length(alice.log) && b.group.logs().length === 3, 'Bob has Alice’s log')
    await a.swarm.destroy()
    await c.feed.follow()
    await c.swarm.refresh()
    await until(() => texts(c.group).includes('for carol, via bob'), 'Carol reads Alice through Bob')
    expect(c.group.members()).toHaveLength(3)
  })

  it("leaving a group keeps the node's DHT: another group's swarm on it goes on", async () => {
    const testnet = await createLocalTestnet(3)
    cleanups.push(() => testnet.destroy())
    const shared = testnet.createNode()
    cleanups.push(() => shared.destroy())
    const [alice, bob] = people('alice', 'bob')
    const groups = ['left', 'kept'].map(async (name) => {
      let first: ReturnType<typeof Group.create> | null = null
      const a = await member(testnet, alice, (log) => {
        first = Group.create(name, { me: alice.id, myLog: log, sealer: alice.sealer })
        return first.group
      }, shared)
      await a.feed.append([first!.entry])
      const invitation = a.group.invitation()
      const b = await member(testnet, bob, () => join(bob, invitation.genesis, undefined, invitation.groupSecret))
      await a.feed.append(a.group.addMember(bob.id.publicKey, bob.log))
      for (const m of [a, b]) {
        await m.feed.follow()
        await m.swarm.refresh()
      }
      return { a, b }
    })
    const [left, kept] = await Promise.all(groups)
    await left.a.swarm.destroy()
    expect(shared.destroyed).toBe(false)
    await kept.a.feed.append(kept.a.group.send(Buffer.from('still here')))
    await until(() => texts(kept.b.group).includes('still here'), "Bob reads Alice's other group")
  })

  it('a member whose connection was refused before its addition reached the others gets in once it has', async () => {
    const testnet = await createLocalTestnet(3)
    cleanups.push(() => testnet.destroy())
    const [alice, bob] = people('alice', 'bob')
    let first: ReturnType<typeof Group.create> | null = null
    const a = await member(testnet, alice, (log) => {
      first = Group.create('late', { me: alice.id, myLog: log, sealer: alice.sealer })
      return first.group
    })
    await a.feed.append([first!.entry])
    await a.feed.follow()
    await a.swarm.refresh()
    const invitation = a.group.invitation()
    const b = await member(testnet, bob, () => join(bob, invitation.genesis, undefined, invitation.groupSecret))
    // Bob is on the topic before Alice has added him: her firewall refuses his key both ways.
    await b.feed.follow()
    await b.swarm.refresh()
    await a.swarm.refresh()
    expect(a.swarm.connections).toBe(0)
    await a.feed.append(a.group.addMember(bob.id.publicKey, bob.log))
    await a.feed.append(a.group.send(Buffer.from('welcome')))
    await a.swarm.refresh()
    await b.swarm.refresh()
    await until(() => texts(b.group).includes('welcome'), 'Bob reads Alice after his addition')
  })
})

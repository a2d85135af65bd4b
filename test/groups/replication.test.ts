import Corestore from 'corestore'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join as joinPath } from 'node:path'
import { pipeline, type Duplex } from 'node:stream'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { cryptoReady, randomBytes } from '../../core/crypto'
import { Group, GroupFeed, RatchetSealer, openGroupLog, type FeedProblem } from '../../core/groups'
import { join, people, texts, until, type Person } from './helpers'

beforeAll(cryptoReady)

const dirs: string[] = []
const cleanups: (() => Promise<void>)[] = []

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {})
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
})

interface Node {
  store: Corestore
  group: Group
  feed: GroupFeed
  problems: FeedProblem[]
}

async function node(p: Person, make: (log: Buffer) => Group, at?: { dir: string; tag: Buffer }): Promise<Node & { dir: string; tag: Buffer }> {
  const dir = at?.dir ?? (await mkdtemp(joinPath(tmpdir(), 'cairn-groups-')))
  const tag = at?.tag ?? randomBytes(16)
  dirs.push(dir)
  const store = new Corestore(dir)
  const core = await openGroupLog(store, tag)
  p.log = core.key as Buffer
  const group = make(p.log)
  const problems: FeedProblem[] = []
  const feed = new GroupFeed(store, group, core, (problem) => problems.push(problem))
  const n = { store, group, feed, problems, dir, tag }
  cleanups.push(async () => {
    await feed.close()
    await store.close()
  })
  return n
}

/** A real replication stream between two stores; returns a function that cuts it. */
function connect(a: Corestore, b: Corestore): () => Promise<void> {
  const s1: Duplex = a.replicate(true)
  const s2: Duplex = b.replicate(false)
  pipeline(s1, s2, s1, () => {})
  return async () => {
    s1.destroy()
    s2.destroy()
  }
}

describe('groups over replicated Hypercores', () => {
  it("Alice's messages reach Carol through Bob after Alice has gone", async () => {
    const [alice, bob, carol] = people('alice', 'bob', 'carol')
    let created: { group: Group; entry: ReturnType<typeof Group.create>['entry'] } | null = null
    const a = await node(alice, (log) => {
      created = Group.create('trio', { me: alice.id, myLog: log, sealer: alice.sealer })
      return created.group
    })
    const genesis = a.group.genesis
    const b = await node(bob, () => join(bob, genesis))
    const c = await node(carol, () => join(carol, genesis))
    await a.feed.append([created!.entry])
    await a.feed.append(a.group.addMember(bob.id.publicKey, bob.log))
    await a.feed.append(a.group.addMember(carol.id.publicKey, carol.log))
    await a.feed.append(a.group.send(Buffer.from('hello from alice')))

    await b.feed.follow()
    const cutAB = connect(a.store, b.store)
    await until(() => texts(b.group).includes('hello from alice'), 'Bob reads Alice')
    await b.feed.append(b.group.send(Buffer.from('hi, bob here')))
    await cutAB()
    await a.feed.close()
    await a.store.close()

    // Carol never meets Alice: Alice's log comes to her from Bob's store.
    await c.feed.follow()
    const cutBC = connect(b.store, c.store)
    await until(() => texts(c.group).length === 2 && texts(c.group).every((t) => t !== null), 'Carol reads both')
    expect(texts(c.group)).toEqual(texts(b.group))
    expect(texts(c.group).sort()).toEqual(['hello from alice', 'hi, bob here'])
    expect(c.group.members()).toHaveLength(3)
    expect(c.group.length(alice.log)).toBe(b.group.length(alice.log))
    expect([...a.problems, ...b.problems, ...c.problems]).toEqual([])
    await cutBC()
  })

  it('a member restarts from its snapshot: its logs are read again from disk, nothing twice, and it goes on', async () => {
    const [alice, bob] = people('alice', 'bob')
    let created: ReturnType<typeof Group.create> | null = null
    const a = await node(alice, (log) => {
      created = Group.create('restart', { me: alice.id, myLog: log, sealer: alice.sealer })
      return created.group
    })
    const b = await node(bob, () => join(bob, a.group.genesis))
    await a.feed.append([created!.entry])
    await a.feed.append(a.group.addMember(bob.id.publicKey, bob.log))
    await a.feed.append(a.group.send(Buffer.from('one')))
    await b.feed.follow()
    let cut = connect(a.store, b.store)
    await until(() => texts(b.group).includes('one'), 'Bob reads one')
    await b.feed.append(b.group.send(Buffer.from('bob before restart')))
    await until(() => texts(a.group).includes('bob before restart'), 'Alice reads Bob')
    const snapshot = b.group.snapshot()
    const sealerState = bob.sealer.encode()
    await cut()
    await b.feed.close()
    await b.store.close()

    await a.feed.append(a.group.send(Buffer.from('while bob is away')))
    const sealer = RatchetSealer.decode(sealerState, bob.id, () => null, () => null)
    const again = await node(bob, () => Group.restore(snapshot, { me: bob.id, sealer }), { dir: b.dir, tag: b.tag })
    await again.feed.follow()
    // My own blocks are back; they are delivered once Alice's blocks they follow are read again too.
    expect(again.group.nextIndex(bob.log)).toBe(b.group.length(bob.log))
    cut = connect(a.store, again.store)
    await until(() => texts(again.group).includes('while bob is away'), 'Bob reads what came while away')
    await again.feed.append(again.group.send(Buffer.from('bob after restart')))
    await until(() => texts(a.group).includes('bob after restart'), 'Alice reads Bob after his restart')
    expect(texts(again.group)).toEqual(texts(a.group))
    expect(texts(again.group)).toEqual(['one', 'bob before restart', 'while bob is away', 'bob after restart'])
    expect([...a.problems, ...again.problems]).toEqual([])
    // A sender key block processed a second time would fail to open (its pairwise key is spent).
    expect(again.group.security()).toEqual([])
    await cut()
  })
})

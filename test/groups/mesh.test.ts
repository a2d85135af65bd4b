// A partial group mesh (members who joined the topic at the same instant can each miss the other's
// announcement) and a member who leaves: those who reached each other only through it must find
// each other again (GroupSwarms looks the topics up again when a member connection closes), even
// while each is still connected to someone.
import Corestore from 'corestore'
import type HyperDHT from 'hyperdht'
import type { NoiseSecretStream } from 'hyperdht'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join as joinPath } from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { cryptoReady, randomBytes } from '../../core/crypto'
import { Group, GroupFeed, openGroupLog } from '../../core/groups'
import { GroupSwarms } from '../../core/messenger/group-swarms'
import { createLocalTestnet, type LocalTestnet } from '../../core/net/testnet'
import { join, people, texts, until, type Person } from './helpers'

beforeAll(cryptoReady)

const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {})
})

type Query = { map: (reply: unknown) => { peers: { publicKey: Buffer }[] } | null }

/**
 * The node's DHT, except that its lookups and announces (which look up too) leave out the peers
 * `hidden` names: the partial mesh of a join race, made on purpose. Nothing is ever dialled and
 * refused, so Hyperswarm has no failed attempt of its own to retry.
 */
function blind(dht: HyperDHT, hidden: () => Set<string>): HyperDHT {
  const filtered = (query: Query): Query => {
    const map = query.map
    query.map = (reply) => {
      const data = map(reply)
      if (data !== null) data.peers = data.peers.filter((peer) => !hidden().has(peer.publicKey.toString('hex')))
      return data
    }
    return query
  }
  return new Proxy(dht, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop, target)
      if (typeof value !== 'function') return value
      if (prop === 'lookup' || prop === 'announce' || prop === 'lookupAndUnannounce') {
        return (...args: unknown[]) => filtered((value as (...a: unknown[]) => Query).apply(target, args))
      }
      return value.bind(target)
    }
  })
}

interface Member {
  group: Group
  feed: GroupFeed
  swarms: GroupSwarms
  /** Its key in the group's swarm (its log's signing key). */
  key: string
  /** Its DHT node, for the group's swarm once the test says so. */
  dht: HyperDHT
  /** The swarm keys of the members it is connected to now. */
  peers: Set<string>
}

const problems: unknown[] = []

async function member(testnet: LocalTestnet, p: Person, make: (log: Buffer) => Group, hidden: () => Set<string>): Promise<Member> {
  const dir = await mkdtemp(joinPath(tmpdir(), 'cairn-groups-mesh-'))
  cleanups.push(() => rm(dir, { recursive: true, force: true }))
  const store = new Corestore(dir)
  const core = await openGroupLog(store, randomBytes(16))
  p.log = core.key as Buffer
  const group = make(p.log)
  const feed = new GroupFeed(store, group, core, ({ error }) => problems.push(error))
  const peers = new Set<string>()
  const onMember = (conn: NoiseSecretStream) => {
    const key = conn.remotePublicKey.toString('hex')
    peers.add(key)
    conn.once('close', () => peers.delete(key))
  }
  const swarms = new GroupSwarms(group, feed, core.keyPair!, onMember, (err) => problems.push(err))
  cleanups.push(async () => {
    await swarms.close()
    await feed.close()
    await store.close()
  })
  return { group, feed, swarms, key: core.keyPair!.publicKey.toString('hex'), dht: blind(testnet.createNode(), hidden), peers }
}

describe('a partial group mesh', () => {
  it('the member two sides reached each other through leaves: they find each other within seconds', async () => {
    const testnet = await createLocalTestnet(3)
    cleanups.push(() => testnet.destroy())
    const [alice, bob, carol, dave, erin] = people('alice', 'bob', 'carol', 'dave', 'erin')
    // Alice and Dave on one side, Carol and Erin on the other, each blind to the other side; Bob sees all.
    const left = new Set<string>()
    const right = new Set<string>()
    let partial = true
    const none = new Set<string>()
    let created: ReturnType<typeof Group.create> | null = null
    const a = await member(testnet, alice, (log) => (created = Group.create('mesh', { me: alice.id, myLog: log, sealer: alice.sealer })).group, () => (partial ? right : none))
    await a.feed.append([created!.entry])
    const { genesis, groupSecret } = a.group.invitation()
    const invited = (p: Person, side: () => Set<string>) => member(testnet, p, () => join(p, genesis, undefined, groupSecret), side)
    const b = await invited(bob, () => none)
    const d = await invited(dave, () => (partial ? right : none))
    const c = await invited(carol, () => (partial ? left : none))
    const e = await invited(erin, () => (partial ? left : none))
    left.add(a.key).add(d.key)
    right.add(c.key).add(e.key)
    for (const p of [bob, carol, dave, erin]) await a.feed.append(a.group.addMember(p.id.publicKey, p.log))
    await a.feed.append(a.group.send(Buffer.from('through bob')))

    // One after the other, each joining once the ones before have announced: the mesh is exactly
    // Alice-Dave, Carol-Erin, and Bob with everyone.
    for (const m of [a, b, d, c, e]) {
      m.swarms.add(m.dht)
      await m.feed.follow()
      await m.swarms.refresh()
    }
    // Who each of Alice, Bob, Carol, Dave and Erin is connected to, by initial.
    const names = new Map([a, b, c, d, e].map((m, i) => [m.key, 'abcde'[i]]))
    const mesh = () => [a, b, c, d, e].map((m) => [...m.peers].map((key) => names.get(key)).sort().join('')).join(' ')
    await until(() => mesh() === 'bd acde be ab bc', 'the partial mesh')
    await until(() => texts(c.group).includes('through bob'), 'Carol reads Alice through Bob')
    // Each member that was alone at its join looks again 1-2 s later (and 2-4 s after that if still
    // alone); one such round left pending would find the other side by itself, whatever Bob does.
    await new Promise((resolve) => setTimeout(resolve, 5_000))
    expect(mesh()).toBe('bd acde be ab bc')

    // The race is over; Bob leaves. Nobody is left alone (Alice has Dave, Carol has Erin): looking
    // again only while no member is connected would leave the two sides apart for good.
    partial = false
    await b.swarms.close()
    await b.feed.close()
    const since = Date.now()
    // Everyone but Bob (now connected to nobody) with everyone.
    await until(() => mesh() === 'cde  ade ace acd', 'the two sides connected', 10_000)
    console.log(`the two sides met again ${Date.now() - since} ms after Bob left`)
    await a.feed.append(a.group.send(Buffer.from('after bob left')))
    await until(() => texts(c.group).includes('after bob left'), 'Carol reads Alice without Bob')
    expect(problems).toEqual([])
  })
})

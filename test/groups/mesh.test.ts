// A partial group mesh (members who joined the topic at the same instant can each miss the other's
// announcement) and a member who leaves: those who reached each other only through it must find
// each other again (GroupSwarms looks the topics up again when a member connection closes), even
// while each is still connected to someone.
import type HyperDHT from 'hyperdht'
import type { NoiseSecretStream } from 'hyperdht'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { cryptoReady } from '../../core/crypto'
import { Group, GroupFeed } from '../../core/groups'
import { GroupSwarms } from '../../core/messenger/group-swarms'
import { createLocalTestnet, type LocalTestnet } from '../../core/net/testnet'
import { join, people, replicaOnDisk, texts, until, type Person } from './helpers'

beforeAll(cryptoReady)

const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {})
})

type Query = { map: (reply: unknown) => { peers: { publicKey: Buffer }[] } | null }

/**
 * The node's DHT, except that its lookups and announces (which look up too) leave out the peers
 * `hidden` names: the partial mesh of a join race, made on purpose. Nothing is ever dialled and
 * refused, so Hyperswarm has no failed attempt of its own to retry. Each announce is noted (a
 * member's join and each of its look-up rounds announce its topic).
 */
function blind(dht: HyperDHT, hidden: () => Set<string>, announced: () => void): HyperDHT {
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
        return (...args: unknown[]) => {
          if (prop === 'announce') announced()
          return filtered((value as (...a: unknown[]) => Query).apply(target, args))
        }
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
  /** Its connections to members now, by their swarm keys. */
  peers: Map<string, NoiseSecretStream>
  /** When its DHT was asked to announce the group's topic. */
  announces: number[]
}

const problems: unknown[] = []

async function member(testnet: LocalTestnet, p: Person, make: (log: Buffer) => Group, hidden: () => Set<string>): Promise<Member> {
  const { group, feed, keyPair, close } = await replicaOnDisk(p, make, ({ error }) => problems.push(error))
  const peers = new Map<string, NoiseSecretStream>()
  const onMember = (conn: NoiseSecretStream) => {
    const key = conn.remotePublicKey.toString('hex')
    peers.set(key, conn)
    conn.once('close', () => {
      if (peers.get(key) === conn) peers.delete(key)
    })
  }
  const swarms = new GroupSwarms(group, feed, keyPair, onMember, (err) => problems.push(err))
  cleanups.push(async () => {
    await swarms.close()
    await close()
  })
  const announces: number[] = []
  const dht = blind(testnet.createNode(), hidden, () => announces.push(Date.now()))
  return { group, feed, swarms, key: keyPair.publicKey.toString('hex'), dht, peers, announces }
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
    const mesh = () => [a, b, c, d, e].map((m) => [...m.peers.keys()].map((key) => names.get(key)).sort().join('')).join(' ')
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

  it('connections that keep closing: one look-up round for a burst of closes, then rounds further apart', async () => {
    const testnet = await createLocalTestnet(3)
    cleanups.push(() => testnet.destroy())
    const all = people('alice', 'bob', 'carol', 'dave')
    const [alice] = all
    const none = () => new Set<string>()
    let created: ReturnType<typeof Group.create> | null = null
    const a = await member(testnet, alice, (log) => (created = Group.create('flaps', { me: alice.id, myLog: log, sealer: alice.sealer })).group, none)
    await a.feed.append([created!.entry])
    const { genesis, groupSecret } = a.group.invitation()
    const others = []
    for (const p of all.slice(1)) others.push(await member(testnet, p, () => join(p, genesis, undefined, groupSecret), none))
    for (const p of all.slice(1)) await a.feed.append(a.group.addMember(p.id.publicKey, p.log))
    for (const m of [a, ...others]) {
      m.swarms.add(m.dht)
      await m.feed.follow()
      await m.swarms.refresh()
    }
    await until(() => a.peers.size === 3, 'Alice connected to the three others')
    // The rounds Alice started while alone at her join have run (at 1-2 s, 2-4 s) and stopped.
    await new Promise((resolve) => setTimeout(resolve, 5_000))
    const topics = a.group.topics().length
    const rounds = (from: number) => a.announces.filter((at) => at >= from).length / topics

    // Three closes at once: one round, 1-2 s later.
    const first = Date.now()
    for (const conn of [...a.peers.values()]) conn.destroy()
    await until(() => rounds(first) >= 1, "Alice's first round", 5_000)
    const firstAt = a.announces.at(-1)! - first
    await until(() => a.peers.size === 3, 'Alice connected again')
    // The same again soon after: the next round waits twice as long (2-4 s).
    const second = Date.now()
    for (const conn of [...a.peers.values()]) conn.destroy()
    await until(() => rounds(second) >= 1, "Alice's second round", 8_000)
    const secondAt = a.announces.at(-1)! - second
    await until(() => a.peers.size === 3, 'Alice connected again')
    expect(rounds(first)).toBe(2)
    expect(firstAt).toBeGreaterThanOrEqual(1_000)
    expect(secondAt).toBeGreaterThanOrEqual(2_000)
    expect(problems).toEqual([])
  })
})

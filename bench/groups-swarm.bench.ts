// A group swarmed for real, all members in this process on a loopback HyperDHT testnet (nothing
// leaves 127.0.0.1): time from the author's append until every online member has decrypted the
// message (p50, p95); then 5 members go offline while messages go on, the author goes offline too,
// and the 5 come back and catch up through the others. Reference: the target of ≤ 1 s p95.
// One process on a shared machine stands in for 20 hosts, so the figures are an upper bound.
//
//   npx tsx bench/groups-swarm.bench.ts [--members N] [--messages M]
import Corestore from 'corestore'
import type Hypercore from 'hypercore'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join as joinPath } from 'node:path'
import { performance } from 'node:perf_hooks'
import { cryptoReady, randomBytes } from '../core/crypto'
import { Group, GroupFeed, GroupSwarm, openGroupLog, type Invitation } from '../core/groups'
import { createLocalTestnet, type LocalTestnet } from '../core/net/testnet'
import { join, people, texts, until, type Person } from '../test/groups/helpers'

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}
const MEMBERS = arg('--members', 20)
const MESSAGES = arg('--messages', 10)
const LEAVING = 5

interface Node {
  p: Person
  dir: string
  store: Corestore
  core: Hypercore
  group: Group
  feed: GroupFeed | null
  swarm: GroupSwarm | null
}

async function online(n: Node, testnet: LocalTestnet): Promise<void> {
  n.feed = new GroupFeed(n.store, n.group, n.core, ({ error }) => console.error('feed problem', error.message))
  n.swarm = new GroupSwarm(n.group, n.feed, testnet.createNode(), n.core.keyPair!)
  await n.feed.follow()
  await n.swarm.refresh()
}

async function offline(n: Node): Promise<void> {
  await n.swarm?.destroy()
  await n.feed?.close()
  n.swarm = null
  n.feed = null
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]
}

async function main(): Promise<void> {
  await cryptoReady()
  const testnet = await createLocalTestnet(3)
  const ps = people(...Array.from({ length: MEMBERS }, (_, i) => `m${i}`))
  const nodes: Node[] = []
  let invitation: Invitation | null = null
  for (const p of ps) {
    const dir = await mkdtemp(joinPath(tmpdir(), 'cairn-groups-bench-'))
    const store = new Corestore(dir)
    const core = await openGroupLog(store, randomBytes(16))
    p.log = core.key as Buffer
    let group: Group
    if (!invitation) {
      const created = Group.create('bench', { me: p.id, myLog: p.log, sealer: p.sealer })
      group = created.group
      await core.append(created.entry.bytes)
      invitation = group.invitation()
    } else group = join(p, invitation.genesis, undefined, invitation.groupSecret)
    nodes.push({ p, dir, store, core, group, feed: null, swarm: null })
  }
  const author = nodes[0]
  await online(author, testnet)
  for (const n of nodes.slice(1)) await author.feed!.append(author.group.addMember(n.p.id.publicKey, n.p.log))
  const setup = performance.now()
  for (const n of nodes.slice(1)) await online(n, testnet)
  await until(() => nodes.every((n) => n.group.isMember()), 'everyone sees their addition', 120_000)
  console.log(`${MEMBERS} members online and added in ${(performance.now() - setup).toFixed(0)} ms`)

  const delivery = async (from: Node, text: string, to: Node[]): Promise<number> => {
    const t0 = performance.now()
    await from.feed!.append(from.group.send(Buffer.from(text)))
    await until(() => to.every((n) => texts(n.group).includes(text)), `all read ${text}`, 60_000)
    return performance.now() - t0
  }
  const first = await delivery(author, 'first', nodes.slice(1))
  console.log(`first message, while the mesh is still forming: ${first.toFixed(0)} ms`)
  const times: number[] = []
  for (let i = 0; i < MESSAGES; i++) times.push(await delivery(author, `m${i}`, nodes.slice(1)))
  console.log(`until every member has decrypted a message: p50 ${percentile(times, 50).toFixed(0)} ms, p95 ${percentile(times, 95).toFixed(0)} ms (target ≤ 1000 ms p95)`)

  const leaving = nodes.slice(MEMBERS - LEAVING)
  const staying = nodes.slice(1, MEMBERS - LEAVING)
  for (const n of leaving) await offline(n)
  for (let i = 0; i < MESSAGES; i++) await delivery(author, `while away ${i}`, staying)
  await offline(author)
  const back = performance.now()
  for (const n of leaving) await online(n, testnet)
  const want = texts(staying[0].group)
  await until(() => leaving.every((n) => texts(n.group).length === want.length && texts(n.group).every((t) => t !== null)), 'the 5 caught up', 60_000)
  console.log(`${LEAVING} members back after the author left: all ${want.length} messages in ${(performance.now() - back).toFixed(0)} ms, through the others`)
  const orders = nodes.slice(1).map((n) => JSON.stringify(n.group.messages().map((m) => `${m.author.toString('hex')}:${m.seq}`)))
  if (new Set(orders).size !== 1) throw new Error('members disagree on the order')
  console.log('every member holds every message once, in one order')

  for (const n of nodes) {
    await offline(n)
    await n.store.close()
    await rm(n.dir, { recursive: true, force: true })
  }
  await testnet.destroy()
}

await main()

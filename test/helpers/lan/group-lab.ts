// A group on a LAN of hosts in network namespaces (needs root), one member per host
// (group-node.ts) with LAN discovery and the group swarm on the LAN DHT: the author adds everyone,
// sends; then some hosts leave, messages go on, the author leaves too, and those hosts come back and
// catch up through the other members. Throws unless every member ends with every message once, in
// one order, and no host sent a packet off its LAN. Used by bench/groups-lan.bench.ts (20 hosts) and
// test/lan/groups.test.ts (a smaller run for CI).
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { cryptoReady } from '../../../core/crypto'
import { generateIdentity } from '../../../core/identity'
import { bundleOf, generateSignedPrekey } from '../../../core/ratchet'
import { Lab, removeLeftovers, type NodeProcess, type Report } from './netns'

const NODE = fileURLToPath(new URL('./group-node.ts', import.meta.url))
const hex = (b: Buffer) => b.toString('hex')

export interface GroupLanOptions {
  members: number
  messages: number
  leaving: number
  boundMs: number
  log?: (line: string) => void
}

export interface GroupLanFigures {
  startMs: number
  firstMs: number
  /** Author's append until every online member decrypted it, one figure per message. */
  deliveryMs: number[]
  awayMs: number[]
  catchUpMs: number
  rssMb: number[]
  cpuPercent: number[]
}

export function quantile(xs: number[], q: number): number {
  const sorted = [...xs].sort((x, y) => x - y)
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]
}

/** Member files: identity, signed prekey, and the one directory of everyone's bundles. */
async function writeMembers(dir: string, count: number): Promise<string[]> {
  const bundles: Record<string, unknown> = {}
  const files: string[] = []
  for (let i = 0; i < count; i++) {
    const id = generateIdentity()
    const prekey = generateSignedPrekey(id, 1)
    const b = bundleOf(id, prekey)
    bundles[hex(id.publicKey)] = { identityKey: hex(b.identityKey), prekeyId: b.prekeyId, prekey: hex(b.prekey), signature: hex(b.signature) }
    const file = join(dir, `member-${i}.json`)
    const { publicKey, secretKey, signature, id: prekeyId, createdAt } = prekey
    await writeFile(file, JSON.stringify({ publicKey: hex(id.publicKey), secretKey: hex(id.secretKey), prekey: { id: prekeyId, publicKey: hex(publicKey), secretKey: hex(secretKey), signature: hex(signature), createdAt } }), { mode: 0o600 })
    files.push(file)
  }
  await writeFile(join(dir, 'bundles.json'), JSON.stringify(bundles))
  return files
}

const after = (node: NodeProcess, type: string, from: number) => (r: Report) => r.type === type && node.reports.indexOf(r) >= from

/** Sends one message from `author` and waits until each of `to` reports it; the slowest arrival minus the append's start. */
async function deliver(author: NodeProcess, text: string, to: NodeProcess[], boundMs: number): Promise<number> {
  const mark = author.reports.length
  author.send({ cmd: 'send', text })
  const sent = await author.wait(after(author, 'sent', mark), boundMs, `sent ${text}`)
  const arrivals = await Promise.all(to.map((n) => n.wait((r) => r.type === 'message' && r.text === text, boundMs, `message ${text}`)))
  return Math.max(...arrivals.map((r) => Number(r.at))) - Number(sent.at)
}

async function stats(nodes: NodeProcess[], boundMs: number): Promise<Report[]> {
  const marks = nodes.map((n) => n.reports.length)
  nodes.forEach((n) => n.send({ cmd: 'stats' }))
  return Promise.all(nodes.map((n, i) => n.wait(after(n, 'stats', marks[i]), boundMs, 'stats')))
}

export async function runGroupLan(opts: GroupLanOptions): Promise<GroupLanFigures> {
  const { members: MEMBERS, messages: MESSAGES, leaving: LEAVING, boundMs: BOUND_MS } = opts
  const log = opts.log ?? (() => {})
  await cryptoReady()
  removeLeftovers()
  const names = Array.from({ length: MEMBERS }, (_, i) => `g${i}`)
  const lab = Lab.create(names, 'grp')
  const dir = await mkdtemp(join(tmpdir(), 'cairn-groups-lan-'))
  const nodes: NodeProcess[] = []
  try {
    const files = await writeMembers(dir, MEMBERS)
    const env = (i: number, invite?: string) => ({
      CAIRN_MEMBER: files[i],
      CAIRN_BUNDLES: join(dir, 'bundles.json'),
      CAIRN_DIR: join(dir, `store-${i}`),
      ...(invite ? { CAIRN_INVITE: invite } : {})
    })
    const start = performance.now()
    const author = lab.spawn(names[0], NODE, env(0))
    nodes.push(author)
    const invite = String((await author.wait((r) => r.type === 'invite', BOUND_MS, 'the invite')).invite)
    for (let i = 1; i < MEMBERS; i++) nodes.push(lab.spawn(names[i], NODE, env(i, invite)))
    const ready = await Promise.all(nodes.map((n) => n.wait((r) => r.type === 'ready', BOUND_MS, 'ready')))
    author.send({ cmd: 'add', members: ready.slice(1).map((r) => ({ id: r.id, log: r.log })) })
    await author.wait((r) => r.type === 'added', BOUND_MS, 'the additions')
    nodes.slice(1).forEach((n) => n.send({ cmd: 'online' }))
    await Promise.all(nodes.slice(1).map((n) => n.wait((r) => r.type === 'member', BOUND_MS, 'its addition')))
    const startMs = performance.now() - start
    log(`${MEMBERS} hosts started, discovered each other and all added in ${startMs.toFixed(0)} ms`)

    const others = nodes.slice(1)
    const first = await deliver(author, 'first', others, BOUND_MS)
    log(`first message, while the mesh is still forming: ${first.toFixed(0)} ms`)
    const times: number[] = []
    for (let i = 0; i < MESSAGES; i++) times.push(await deliver(author, `m${i}`, others, BOUND_MS))
    log(`until every member has decrypted a message: p50 ${quantile(times, 0.5).toFixed(0)} ms, p95 ${quantile(times, 0.95).toFixed(0)} ms (target p95 ≤ 1000 ms)`)

    const leaving = nodes.slice(MEMBERS - LEAVING)
    const staying = nodes.slice(1, MEMBERS - LEAVING)
    await Promise.all(leaving.map((n) => (n.send({ cmd: 'offline' }), n.wait((r) => r.type === 'offline', BOUND_MS, 'offline'))))
    const away: number[] = []
    for (let i = 0; i < MESSAGES; i++) away.push(await deliver(author, `while away ${i}`, staying, BOUND_MS))
    log(`with ${LEAVING} hosts gone: p50 ${quantile(away, 0.5).toFixed(0)} ms, p95 ${quantile(away, 0.95).toFixed(0)} ms`)
    author.send({ cmd: 'offline' })
    await author.wait((r) => r.type === 'offline', BOUND_MS, 'the author offline')
    const back = performance.now()
    leaving.forEach((n) => n.send({ cmd: 'online' }))
    await Promise.all(leaving.map((n) => n.wait((r) => r.type === 'message' && r.text === `while away ${MESSAGES - 1}`, BOUND_MS, 'the last message while away')))
    const catchUpMs = performance.now() - back
    log(`${LEAVING} hosts back while the author is away: all ${MESSAGES} missed messages in ${catchUpMs.toFixed(0)} ms, through the other members`)

    const members = nodes.slice(1)
    const marks = members.map((n) => n.reports.length)
    members.forEach((n) => n.send({ cmd: 'order' }))
    const orders = await Promise.all(members.map((n, i) => n.wait(after(n, 'order', marks[i]), BOUND_MS, 'its order')))
    const distinct = new Set(orders.map((r) => JSON.stringify(r.order)))
    const counts = members.map((n) => n.reports.filter((r) => r.type === 'message').length)
    if (distinct.size !== 1 || counts.some((c) => c !== 2 * MESSAGES + 1)) throw new Error(`members disagree: ${distinct.size} orders, message counts ${counts.join(',')}`)
    log(`every member holds all ${2 * MESSAGES + 1} messages once, in one order`)

    const s = await stats(members, BOUND_MS)
    const rss = s.map((r) => Number(r.rss) / 2 ** 20)
    const cpu = s.map((r) => (100 * Number(r.cpuMs)) / Number(r.uptimeMs))
    log(`per host: RSS median ${quantile(rss, 0.5).toFixed(0)} MB (max ${Math.max(...rss).toFixed(0)}), CPU over the run median ${quantile(cpu, 0.5).toFixed(1)} % of a core (max ${Math.max(...cpu).toFixed(1)})`)
    const stray = names.reduce((sum, n) => sum + lab.strayPackets(n), 0)
    log(`packets that tried to leave the LAN: ${stray}`)
    if (stray !== 0) throw new Error('a host sent packets off its LAN')
    return { startMs, firstMs: first, deliveryMs: times, awayMs: away, catchUpMs, rssMb: rss, cpuPercent: cpu }
  } catch (err) {
    for (const n of nodes) log(`${n.name}: ${JSON.stringify(n.reports.filter((r) => r.type !== 'message').slice(-5))}`)
    throw err
  } finally {
    await Promise.all(nodes.map((n) => n.stop()))
    lab.destroy()
    await rm(dir, { recursive: true, force: true })
  }
}

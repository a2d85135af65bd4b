// Many whole Cairn hosts on one LAN (needs root): one CairnHost per network namespace on one bridge
// (host-node.ts), LAN discovery at its default settings, an empty bootstrap list, each person with
// 6–7 contacts among the others. Measured: the time until every pair of contacts is connected, the
// mDNS datagrams each host sends per minute (counted by a listener on the bridge), then some hosts
// are unplugged, everyone writes to and from them, and they are plugged back: the time until they
// have caught up, and memory and CPU per host. Throws unless every message arrives once and in
// order on both sides and no host sent a packet off its LAN. Used by bench/lan-scale.bench.ts (50
// hosts) and test/lan/scale.test.ts (a smaller run for CI).
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { cpus, loadavg, tmpdir } from 'node:os'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { decodeContactId } from '../../../core/identity'
import { bundle, Lab, removeLeftovers, type NodeProcess, type Report } from './netns'
import { quantile } from './group-lab'

const HOST_NODE = fileURLToPath(new URL('./host-node.ts', import.meta.url))
const LISTENER = fileURLToPath(new URL('./listener.ts', import.meta.url))
const LISTENER_HOST = 'ear'

export interface LanScaleOptions {
  hosts: number
  leaving: number
  /** Messages written each way between a leaving host and each of its contacts while it is away. */
  messages: number
  boundMs: number
  /** A quiet spell before the unplug, so the mDNS rate (counted from the start) leans to the steady state (the bench). */
  quietMs?: number
  /** Where the first host writes a V8 CPU profile of its whole run (the bench's --cpu-prof). */
  cpuProfileDir?: string
  /** Each host reports what its LAN parts did every this many ms (probe.ts); with traceFile, all reports go there as JSON. */
  probeMs?: number
  traceFile?: string
  log?: (line: string) => void
}

export interface LanScaleFigures {
  pairs: number
  /** From the contacts being added (every host up) until every pair of contacts is connected. */
  connectedMs: number
  mdnsPerHostPerMinute: number[]
  catchUpMs: number
  rssMb: number[]
  cpuPercent: number[]
}

/** Each host i knows i±1, i±2, i±3 and, with an even count, the host opposite: 6–7 contacts each. */
export function contactPairs(count: number): [number, number][] {
  const pairs = new Set<string>()
  const add = (i: number, j: number) => pairs.add(`${Math.min(i, j)}-${Math.max(i, j)}`)
  for (let i = 0; i < count; i++) {
    for (const step of [1, 2, 3]) if (step < count) add(i, (i + step) % count)
    if (count % 2 === 0 && count > 8) add(i, (i + count / 2) % count)
  }
  return [...pairs].map((p) => p.split('-').map(Number) as [number, number])
}

const after = (node: NodeProcess, from: number, match: (r: Report) => boolean) => (r: Report) => match(r) && node.reports.indexOf(r) >= from
const incoming = (from: string, text: string) => (r: Report) => r.type === 'message' && r.direction === 'in' && r.contact === from && r.text === text

const START_WAVE = 10

export async function runLanScale(opts: LanScaleOptions): Promise<LanScaleFigures> {
  const { hosts: COUNT, leaving: LEAVING, messages: MESSAGES, boundMs: BOUND } = opts
  const log = opts.log ?? (() => {})
  removeLeftovers()
  const names = Array.from({ length: COUNT }, (_, i) => `h${i}`)
  const lab = Lab.create([...names, LISTENER_HOST], 'scl', { staticNeighbours: true })
  const dir = await mkdtemp(join(tmpdir(), 'cairn-lan-scale-'))
  const hostNode = await bundle(HOST_NODE)
  const nodes: NodeProcess[] = []
  const procs: NodeProcess[] = []
  try {
    const ear = lab.spawn(LISTENER_HOST, LISTENER)
    procs.push(ear)
    await ear.wait((r) => r.type === 'ready', BOUND, 'the listener')
    const spawned = performance.now()
    // In waves: 50 processes compiling the same TypeScript at once on two cores took over 300 s
    // before the last was ready (then the first had long since settled alone).
    const ids: string[] = []
    for (let from = 0; from < names.length; from += START_WAVE) {
      const wave = names.slice(from, from + START_WAVE).map((name) => {
        const profile = opts.cpuProfileDir && name === names[0] ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfileDir}`] : []
        const probe: Record<string, string> = opts.probeMs ? { CAIRN_PROBE_MS: String(opts.probeMs) } : {}
        return lab.spawn(name, hostNode.path, { CAIRN_PROFILE: join(dir, name), CAIRN_NAME: name, ...probe }, profile)
      })
      nodes.push(...wave)
      procs.push(...wave)
      for (const r of await Promise.all(wave.map((n) => n.wait((r) => r.type === 'ready', BOUND, 'ready')))) ids.push(String(r.id))
      log(`hosts ${from}–${from + wave.length - 1} ready ${(performance.now() - spawned).toFixed(0)} ms after the first was spawned (load average ${loadavg()[0].toFixed(1)})`)
    }
    const hexes = ids.map((id) => decodeContactId(id).toString('hex'))
    log(`${COUNT} hosts up in ${(performance.now() - spawned).toFixed(0)} ms`)

    const pairs = contactPairs(COUNT)
    const contacts = names.map(() => [] as number[])
    for (const [i, j] of pairs) {
      contacts[i].push(j)
      contacts[j].push(i)
    }
    const before = await statsOf(nodes, BOUND)
    const machineBefore = machineCpu()
    const added = performance.now()
    const addedAt = Date.now()
    for (const [i, j] of pairs) {
      nodes[i].send({ cmd: 'add', id: ids[j], name: names[j] })
      nodes[j].send({ cmd: 'add', id: ids[i], name: names[i] })
    }
    const connected = (i: number, j: number) => nodes[i].wait((r) => r.type === 'peer' && r.remote === hexes[j], BOUND, `${names[j]} connected`)
    try {
      await Promise.all(pairs.flatMap(([i, j]) => [connected(i, j), connected(j, i)]))
    } catch (err) {
      log(describeConnects(nodes, pairs, names, hexes, ids, addedAt))
      throw err
    }
    const connectedMs = performance.now() - added
    const degrees = contacts.map((c) => c.length)
    log(`${pairs.length} pairs (${Math.min(...degrees)}–${Math.max(...degrees)} contacts each) all connected ${connectedMs.toFixed(0)} ms after they were added (target ≤ 15000 ms)`)
    log(describeConnects(nodes, pairs, names, hexes, ids, addedAt))
    const machine = machineCpu().since(machineBefore)
    const connecting = (await statsOf(nodes, BOUND)).map((r, i) => Number(r.cpuMs) - Number(before[i].cpuMs))
    log(`CPU per host from the adds to the last pair connected: median ${quantile(connecting, 0.5).toFixed(0)} ms (max ${Math.max(...connecting).toFixed(0)}), all hosts ${connecting.reduce((a, b) => a + b, 0).toFixed(0)} ms; the machine was busy ${machine.busyPercent.toFixed(0)} % of its ${machine.cores} cores meanwhile, load average ${loadavg()[0].toFixed(1)}`)

    if (opts.quietMs) await delay(opts.quietMs)
    // Counted from the hosts' start (its burst of queries and answers included) to the unplug.
    const minutes = (performance.now() - spawned) / 60_000
    const heard = ear.reports.filter((r) => r.type === 'datagram')
    const mdnsPerHostPerMinute = names.map((name) => heard.filter((r) => r.from === lab.host(name).address).length / minutes)

    const leavers = Array.from({ length: LEAVING }, (_, k) => COUNT - 1 - k)
    const text = (from: number, to: number, k: number) => `away ${names[from]} to ${names[to]} ${k}`
    const marks = nodes.map((n) => n.reports.length)
    for (const l of leavers) lab.unplug(names[l])
    // Gone for real: each leaving host has seen every contact drop before anything is written (or had
    // already: a connection can time out before the unplug on a machine this loaded, and is redialled).
    await Promise.all(leavers.map(async (l) => {
      const node = nodes[l]
      const mark = node.reports.length
      node.send({ cmd: 'contacts' })
      const listed = (await node.wait(after(node, mark, (r) => r.type === 'contacts'), BOUND, 'contacts')).contacts as { id: string; presence: string }[]
      const offline = new Set(listed.filter((c) => c.presence === 'offline').map((c) => c.id))
      await Promise.all(contacts[l].filter((c) => !offline.has(ids[c])).map((c) => node.wait(after(node, marks[l], (r) => r.type === 'contact' && r.id === ids[c] && r.presence === 'offline'), BOUND, `${names[c]} offline`)))
    }))
    const sends: [number, number][] = leavers.flatMap((l) => contacts[l].flatMap((c) => [[l, c] as [number, number], [c, l] as [number, number]]))
    const unique = [...new Map(sends.map(([f, t]) => [`${f}-${t}`, [f, t] as [number, number]])).values()]
    for (const [from, to] of unique) nodes[from].send({ cmd: 'send', id: ids[to], texts: Array.from({ length: MESSAGES }, (_, k) => text(from, to, k)) })
    await Promise.all(nodes.map((n, i) => {
      const expected = unique.filter(([from]) => from === i).length
      return expected === 0 ? null : n.wait(() => n.reports.slice(marks[i]).filter((r) => r.type === 'sent').length >= expected, BOUND, 'its sends')
    }))

    const back = performance.now()
    for (const l of leavers) lab.plug(names[l])
    await Promise.all(unique.map(([from, to]) => nodes[to].wait(incoming(ids[from], text(from, to, MESSAGES - 1)), BOUND, `the last message from ${names[from]}`)))
    const catchUpMs = performance.now() - back
    log(`${LEAVING} hosts unplugged and back: ${unique.length} conversations × ${MESSAGES} messages caught up ${catchUpMs.toFixed(0)} ms after the cables went back`)

    for (const [from, to] of unique) {
      const node = nodes[to]
      const mark = node.reports.length
      node.send({ cmd: 'history', id: ids[from] })
      const page = await node.wait(after(node, mark, (r) => r.type === 'history'), BOUND, 'history')
      const got = (page.messages as { direction: string; text: string }[]).filter((m) => m.direction === 'in' && m.text.startsWith('away ')).map((m) => m.text)
      const want = Array.from({ length: MESSAGES }, (_, k) => text(from, to, k))
      if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`${names[to]} holds ${JSON.stringify(got)} from ${names[from]}, not each of ${MESSAGES} once in order`)
    }
    log('every message written while away arrived once, in order, on its side')

    const stats = await statsOf(nodes, BOUND)
    const rssMb = stats.map((r) => Number(r.rss) / 2 ** 20)
    const lanQueries = stats.map((r) => Number(r.lanQueries))
    const lanRequests = stats.map((r) => Number(r.lanRequests))
    log(`LAN DHT per host over the run: queries median ${quantile(lanQueries, 0.5)} (max ${Math.max(...lanQueries)}), requests sent median ${quantile(lanRequests, 0.5)} (max ${Math.max(...lanRequests)})`)
    const cpuPercent = stats.map((r) => (100 * Number(r.cpuMs)) / Number(r.uptimeMs))
    log(`mDNS datagrams sent per host per minute: median ${quantile(mdnsPerHostPerMinute, 0.5).toFixed(1)}, max ${Math.max(...mdnsPerHostPerMinute).toFixed(1)}`)
    log(`per host: RSS median ${quantile(rssMb, 0.5).toFixed(0)} MB (max ${Math.max(...rssMb).toFixed(0)}), CPU over its life median ${quantile(cpuPercent, 0.5).toFixed(1)} % of a core (max ${Math.max(...cpuPercent).toFixed(1)})`)
    const stray = [...names, LISTENER_HOST].reduce((sum, n) => sum + lab.strayPackets(n), 0)
    if (stray !== 0) throw new Error(`${stray} packets tried to leave the LAN`)
    return { pairs: pairs.length, connectedMs, mdnsPerHostPerMinute, catchUpMs, rssMb, cpuPercent }
  } catch (err) {
    for (const n of nodes) log(`${n.name}: ${JSON.stringify(n.reports.filter((r) => r.type !== 'message' && r.type !== 'contact').slice(-4))}`)
    throw err
  } finally {
    if (opts.traceFile) await writeFile(opts.traceFile, JSON.stringify({ names, reports: nodes.map((n) => n.reports) }))
    await Promise.all(procs.map((n) => n.stop(20_000)))
    lab.destroy()
    hostNode.remove()
    await rm(dir, { recursive: true, force: true })
  }
}

async function statsOf(nodes: NodeProcess[], bound: number): Promise<Report[]> {
  const marks = nodes.map((n) => n.reports.length)
  nodes.forEach((n) => n.send({ cmd: 'stats' }))
  return Promise.all(nodes.map((n, i) => n.wait(after(n, marks[i], (r) => r.type === 'stats'), bound, 'stats')))
}

/** The machine's CPU time so far (all processes, other helpers' included), from /proc/stat. */
function machineCpu(): { since(earlier: ReturnType<typeof machineCpu>): { busyPercent: number; cores: number }; busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number)
  const idle = fields[3] + fields[4]
  const total = fields.reduce((a, b) => a + b, 0)
  return {
    busy: total - idle,
    total,
    since(earlier) {
      const cores = cpus().length
      return { busyPercent: (100 * (total - idle - earlier.busy)) / Math.max(1, total - earlier.total), cores }
    }
  }
}

/**
 * When each pair of contacts came to be connected on both ends (ms after the adds were sent): the
 * spread, the slowest pairs, which kind of connection came first (the pair's own or a request's
 * inbox one) and how many connections were made in all; the pairs not yet connected, if any.
 */
function describeConnects(nodes: NodeProcess[], pairs: [number, number][], names: string[], hexes: string[], ids: string[], sentAt: number): string {
  const first = (i: number, j: number) => nodes[i].reports.find((r) => r.type === 'peer' && r.remote === hexes[j])
  const lastAdd = Math.max(...nodes.map((n) => Number(n.reports.filter((r) => r.type === 'added').at(-1)?.at ?? Number.NaN)))
  const done: { pair: string; ms: number; own: number; inbox: boolean }[] = []
  // From the later of the two adds as each host processed it: what the product took, without the
  // queue of adds a loaded host works through first.
  const addedAt = (i: number, j: number) => Number(nodes[i].reports.find((r) => r.type === 'added' && r.id === ids[j])?.at ?? Number.NaN)
  const missing: string[] = []
  for (const [i, j] of pairs) {
    const [a, b] = [first(i, j), first(j, i)]
    if (a === undefined || b === undefined) missing.push(`${names[i]}-${names[j]} (${a ? '' : `${names[i]} lacks ${names[j]}`}${a || b ? '' : ', '}${b ? '' : `${names[j]} lacks ${names[i]}`})`)
    else {
      const at = Math.max(Number(a.at), Number(b.at))
      done.push({ pair: `${names[i]}-${names[j]}`, ms: at - sentAt, own: at - Math.max(addedAt(i, j), addedAt(j, i)), inbox: a.pair === false || b.pair === false })
    }
  }
  const ms = done.map((d) => d.ms)
  const own = done.map((d) => d.own).filter((x) => !Number.isNaN(x))
  const links = nodes.reduce((sum, n) => sum + n.reports.filter((r) => r.type === 'peer').length, 0)
  const slowest = [...done].sort((x, y) => y.ms - x.ms).slice(0, 5).map((d) => `${d.pair} ${d.ms} ms${d.inbox ? ' (inbox)' : ''}`)
  return [
    own.length > 0 ? `pairs connected after both ends had processed their add: p50 ${quantile(own, 0.5)} ms, p90 ${quantile(own, 0.9)} ms, max ${Math.max(...own)} ms` : '',
    ms.length > 0 ? `pairs connected after the adds were sent: p50 ${quantile(ms, 0.5)} ms, p90 ${quantile(ms, 0.9)} ms, max ${Math.max(...ms)} ms; first over a request's inbox connection: ${done.filter((d) => d.inbox).length} of ${done.length}; connections opened (both ends): ${links}; slowest: ${slowest.join(', ')}` : 'no pair connected',
    `last add done ${Number.isNaN(lastAdd) ? '?' : lastAdd - sentAt} ms after the adds were sent`,
    missing.length > 0 ? `not connected: ${missing.join('; ')}` : ''
  ].filter((line) => line !== '').join('\n')
}

// One node with 1,000 contacts, 50 of them online peers (bare Networks in this process), on a
// loopback testnet whose nodes (and the peers' DHT nodes) count every request they serve, internal ones included. The node
// (bench/scale-node.ts) runs in a process of its own. Measured beside the issue's targets: time from
// its start to all 50 connected (≤ 10 s), the DHT requests it sends per minute once settled (bounded
// and stated), open connections, RSS (< 250 MB), idle CPU (< 2 % of a core), and the time for a
// control frame to reach one of them.
//
//   npx tsx bench/scale.bench.ts [--contacts N] [--online M] [--idle-ms T] [--settle-ms S] [--cpu-prof DIR]
// --cpu-prof writes the node's V8 CPU profile into DIR (node --cpu-prof; the idle window is its last T ms).
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { setTimeout as delay } from 'node:timers/promises'
import createTestnet from 'hyperdht/testnet.js'
import HyperDHT from 'hyperdht'
import { Network } from '../core/net'

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}
const CONTACTS = arg('--contacts', 1000)
const ONLINE = arg('--online', 50)
const IDLE_MS = arg('--idle-ms', 30_000)
// The re-lookups of offline contacts back off to 120 s over about four minutes: a settle time that
// long measures the steady state, the default measures the node's first half-minute.
const SETTLE_MS = arg('--settle-ms', 0)
const profileAt = process.argv.indexOf('--cpu-prof')
const profileFlags = profileAt >= 0 ? ['--cpu-prof', `--cpu-prof-dir=${process.argv[profileAt + 1]}`] : []
const CONNECT_BOUND_MS = 120_000
const now = () => performance.timeOrigin + performance.now()

type Line = Record<string, unknown> & { type: string }
interface Served {
  from: { port: number }
  internal: boolean
  command: number
}
// Commands by number (dht-rpc's internal ones: 0 ping, 1 ping-nat, 2 find-node, 3 down-hint, 4 delayed ping;
// HyperDHT's: 0 peer-handshake, 1 peer-holepunch, 2 find-peer, 3 lookup, 4 announce, 5 unannounce, 6 mutable-put…).
const nodePorts: number[] = []

const testnet = await createTestnet(6, { host: '127.0.0.1' })
// Requests served by the testnet's nodes, per sender port and per command: what the DHT sees of each node.
const served = new Map<number, number>()
const byCommand = new Map<string, number>()
// The online peers' DHT nodes join the DHT too (counted once each is made, below).
const count = (node: HyperDHT) => {
  // dht-rpc hands its socket layer a bound copy of _onrequest at construction: wrap that copy.
  const { io } = node as unknown as { io: { onrequest(req: Served, external: boolean): void } }
  const original = io.onrequest.bind(io)
  io.onrequest = (req, external) => {
    served.set(req.from.port, (served.get(req.from.port) ?? 0) + 1)
    if (nodePorts.includes(req.from.port)) {
      const name = `${req.internal ? 'rpc' : 'dht'} ${req.command}`
      byCommand.set(name, (byCommand.get(name) ?? 0) + 1)
    }
    original(req, external)
  }
}
for (const node of testnet.nodes) count(node)
const dir = await mkdtemp(join(tmpdir(), 'cairn-scale-'))
const peers: Network[] = []
try {
  const online = Array.from({ length: ONLINE }, () => HyperDHT.keyPair())
  const offline = Array.from({ length: CONTACTS - ONLINE }, () => HyperDHT.keyPair().publicKey.toString('hex'))
  const file = join(dir, 'contacts.json')
  await writeFile(file, JSON.stringify([...online.map((k) => k.publicKey.toString('hex')), ...offline]))

  // The online contacts are up first, as a node restarting among friends finds them; the clock starts with its process.
  const seed = randomBytes(32)
  const publicKey = HyperDHT.keyPair(seed).publicKey.toString('hex')
  const frames: number[] = []
  for (const keyPair of online) {
    const net = new Network({ keyPair, bootstrap: testnet.bootstrap, classify: (remote) => (remote.toString('hex') === publicKey ? 'contact' : 'unknown'), log: () => {} })
    peers.push(net)
    count(net.dhts()[0])
    await net.ready()
    net.on('peer', (peer) => peer.on('frame', () => frames.push(now())))
    net.addContact(Buffer.from(publicKey, 'hex'))
  }
  const startedAt = now()
  const child = spawn(process.execPath, [...profileFlags, '--import', 'tsx', join(import.meta.dirname, 'scale-node.ts'), JSON.stringify(testnet.bootstrap), file, seed.toString('hex')], { stdio: ['pipe', 'pipe', 'inherit'] })
  const lines: Line[] = []
  const waiters: { match: (l: Line) => boolean; resolve: (l: Line) => void }[] = []
  createInterface({ input: child.stdout }).on('line', (text) => {
    const line = JSON.parse(text) as Line
    lines.push(line)
    for (const w of waiters.splice(0)) (w.match(line) ? w.resolve(line) : waiters.push(w))
  })
  const next = (match: (l: Line) => boolean, ms: number, what: string) =>
    new Promise<Line>((resolve, reject) => {
      const seen = lines.find(match)
      if (seen) return resolve(seen)
      const timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms)
      waiters.push({ match, resolve: (l) => (clearTimeout(timer), resolve(l)) })
    })
  const stats = async () => {
    const from = lines.length
    child.stdin.write(JSON.stringify({ cmd: 'stats' }) + '\n')
    return next((l) => l.type === 'stats' && lines.indexOf(l) >= from, 30_000, 'stats')
  }
  const { ports } = (await next((l) => l.type === 'ready', 60_000, 'the node')) as unknown as { ports: number[] }
  nodePorts.push(...ports)
  const added = await next((l) => l.type === 'added', 60_000, 'the contacts added')
  console.log(`${CONTACTS} contacts added in ${Number(added.ms).toFixed(0)} ms`)
  const wanted = new Set(online.map((k) => k.publicKey.toString('hex')))
  await next(() => lines.filter((l) => l.type === 'peer' && wanted.has(String(l.remote))).length >= ONLINE, CONNECT_BOUND_MS, `all ${ONLINE} connected`)
  const times = lines.filter((l) => l.type === 'peer').map((l) => Number(l.at) - startedAt).sort((x, y) => x - y)
  const readyAt = Number(lines.find((l) => l.type === 'ready')!.at) - startedAt
  console.log(`all ${ONLINE} online contacts connected ${times[times.length - 1].toFixed(0)} ms after the node's process started (target ≤ 10000 ms)`)
  const busy = await stats()
  console.log(`  its network ready at ${readyAt.toFixed(0)} ms; the first contact at ${times[0].toFixed(0)} ms, the median at ${times[times.length >> 1].toFixed(0)} ms; CPU time used by then ${Number(busy.cpuMs).toFixed(0)} ms (load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores)`)

  child.stdin.write(JSON.stringify({ cmd: 'typing', to: online[0].publicKey.toString('hex') }) + '\n')
  const typed = await next((l) => l.type === 'typed', 30_000, 'the frame sent')
  const arrived = await (async () => {
    for (let i = 0; i < 100 && frames.length === 0; i++) await delay(50)
    return frames[0]
  })()
  console.log(`a control frame to one of them: ${arrived === undefined ? 'never arrived' : `${(arrived - Number(typed.at)).toFixed(1)} ms`}`)

  await delay(SETTLE_MS)
  const fromNode = () => ports.reduce((sum, port) => sum + (served.get(port) ?? 0), 0)
  const before = await stats()
  const requestsBefore = fromNode()
  byCommand.clear()
  const idleFrom = now()
  await delay(IDLE_MS)
  const after = await stats()
  const minutes = (now() - idleFrom) / 60_000
  const idleCpu = (100 * (Number(after.cpuMs) - Number(before.cpuMs))) / (now() - idleFrom)
  console.log(`DHT requests from the node, ${((idleFrom - startedAt) / 1000).toFixed(0)}–${((now() - startedAt) / 1000).toFixed(0)} s after its start: ${((fromNode() - requestsBefore) / minutes).toFixed(0)} per minute (bounded and stated)`)
  console.log(`  of which: ${[...byCommand].sort((x, y) => y[1] - x[1]).map(([name, n]) => `${name}: ${((n / minutes) | 0)}/min`).join(', ')}`)
  console.log(`open connections: ${after.connections}; RSS ${(Number(after.rss) / 2 ** 20).toFixed(0)} MB (target < 250 MB); idle CPU ${idleCpu.toFixed(1)} % of a core (target < 2 %)`)
  child.stdin.write(JSON.stringify({ cmd: 'stop' }) + '\n')
  await new Promise((resolve) => child.once('exit', resolve))
} finally {
  await Promise.allSettled(peers.map((p) => p.close()))
  await testnet.destroy()
  await rm(dir, { recursive: true, force: true })
}

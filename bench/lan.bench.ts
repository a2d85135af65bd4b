// LAN benchmark (needs root for network namespaces): (1) time from a node's start (LAN discovery,
// LAN DHT, swarm join) to its first connection with a peer in another namespace, median of 10 fresh
// pairs; (2) round trip of a small line across the namespace link; (3) round trip of a Cairn message
// (send() to the echo's message event) between two CairnHosts across the same link. References in
// the same run: the same Hyperswarm connect and round trip on a loopback testnet inside this
// process, and (for 3) the bare Hyperswarm round trip across the same link.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Hyperswarm from 'hyperswarm'
import HyperDHT from 'hyperdht'
import type { NoiseSecretStream } from 'hyperdht'
import { createLocalTestnet } from '../core/net/testnet'
import { Lab, labUnavailable, removeLeftovers, type NodeProcess } from '../test/helpers/lan/netns'

const RUNS = 10
const ROUND_TRIPS = 200
const MESSAGE_ROUND_TRIPS = 100
const RAW_NODE = fileURLToPath(new URL('../test/helpers/lan/raw-node.ts', import.meta.url))
const HOST_NODE = fileURLToPath(new URL('../test/helpers/lan/host-node.ts', import.meta.url))
const RESULTS = join(import.meta.dirname, '..', 'bench-results', 'lan.json')

const median = (xs: number[]) => quantile(xs, 0.5)
function quantile(xs: number[], q: number): number {
  const sorted = [...xs].sort((x, y) => x - y)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
}
const ms = (x: number) => `${x.toFixed(1)} ms`

async function save(figures: Record<string, unknown>): Promise<void> {
  await mkdir(join(RESULTS, '..'), { recursive: true })
  await writeFile(RESULTS, JSON.stringify(figures, null, 2) + '\n')
}

function member() {
  const seed = randomBytes(32)
  return { seed: seed.toString('hex'), publicKey: HyperDHT.keyPair(seed).publicKey.toString('hex') }
}

/** One fresh pair of nodes in namespaces a and b; resolves with both once connected. */
async function lanPair(lab: Lab, extra: Record<string, string> = {}): Promise<{ nodes: NodeProcess[]; connectMs: number[]; discoveryMs: number[] }> {
  const [a, b] = [member(), member()]
  const topic = randomBytes(32).toString('hex')
  const env = (who: { seed: string }) => ({ CAIRN_SEED: who.seed, CAIRN_TOPIC: topic, CAIRN_ALLOW: `${a.publicKey},${b.publicKey}`, CAIRN_INTERVAL: '1000', ...extra })
  const nodes = [lab.spawn('a', RAW_NODE, env(a)), lab.spawn('b', RAW_NODE, env(b))]
  try {
    const connections = await Promise.all(nodes.map((n) => n.wait((r) => r.type === 'connection', 60_000, 'a connection')))
    const discovered = nodes.map((n) => n.reports.find((r) => r.type === 'peers'))
    return { nodes, connectMs: connections.map((c) => Number(c.ms)), discoveryMs: discovered.map((r) => Number(r?.ms)) }
  } catch (err) {
    await Promise.all(nodes.map((n) => n.stop()))
    throw err
  }
}

/** Message round trips between two CairnHosts in namespaces a and b, or null when they never chat. */
async function hostRoundTrips(lab: Lab): Promise<number[] | null> {
  const profiles = await mkdtemp(join(tmpdir(), 'cairn-lan-bench-'))
  const hostA = lab.spawn('a', HOST_NODE, { CAIRN_PROFILE: join(profiles, 'a'), CAIRN_NAME: 'A' })
  const hostB = lab.spawn('b', HOST_NODE, { CAIRN_PROFILE: join(profiles, 'b'), CAIRN_NAME: 'B', CAIRN_ECHO: '1' })
  try {
    const [a, b] = await Promise.all([hostA, hostB].map((h) => h.wait((r) => r.type === 'ready', 60_000, 'ready')))
    hostA.send({ cmd: 'add', id: b.id, name: 'B' })
    hostB.send({ cmd: 'add', id: a.id, name: 'A' })
    hostA.send({ cmd: 'send', id: b.id, texts: ['warm up'] })
    const chatted = await hostB.wait((r) => r.type === 'message' && r.text === 'warm up', 30_000, 'the first message').then(
      () => true,
      () => false
    )
    if (!chatted) return null
    hostA.send({ cmd: 'ping', id: b.id, count: MESSAGE_ROUND_TRIPS })
    return (await hostA.wait((r) => r.type === 'rtts', 120_000, 'message round trips')).ms as number[]
  } finally {
    await Promise.all([hostA.stop(20_000), hostB.stop(20_000)])
    await rm(profiles, { recursive: true, force: true })
  }
}

async function loopbackReference(): Promise<{ connectMs: number[]; rtts: number[] }> {
  const testnet = await createLocalTestnet(3)
  const connectMs: number[] = []
  let rtts: number[] = []
  try {
    for (let run = 0; run < RUNS; run++) {
      const topic = randomBytes(32)
      // Joined one after the other: on a ready testnet two simultaneous joins can miss each other
      // until the swarm's next automatic lookup, minutes later (MACHINE.md).
      const server = new Hyperswarm({ dht: testnet.createNode() })
      server.on('connection', ignoreErrors)
      const accepted = new Promise<NoiseSecretStream>((resolve) => server.once('connection', resolve))
      await server.join(topic, { server: true, client: false }).flushed()
      const started = performance.now()
      const client = new Hyperswarm({ dht: testnet.createNode() })
      client.on('connection', ignoreErrors)
      const swarms = [server, client]
      const dialled = new Promise<NoiseSecretStream>((resolve) => client.once('connection', resolve))
      client.join(topic, { server: false, client: true })
      const [first, second] = await Promise.all([dialled, accepted])
      connectMs.push(performance.now() - started)
      if (run === 0) rtts = await roundTrips(first, second)
      await Promise.all(swarms.map((s) => s.destroy()))
    }
  } finally {
    await testnet.destroy()
  }
  return { connectMs, rtts }
}

// Streams reset when the swarms are torn down between runs.
function ignoreErrors(conn: NoiseSecretStream): void {
  conn.on('error', () => {})
}

async function roundTrips(from: NoiseSecretStream, to: NoiseSecretStream): Promise<number[]> {
  to.on('data', (chunk: Buffer) => to.write(chunk))
  const rtts: number[] = []
  for (let i = 0; i < ROUND_TRIPS; i++) {
    const sent = performance.now()
    await new Promise<void>((resolve) => {
      from.once('data', () => resolve())
      from.write(`ping ${i}\n`)
    })
    rtts.push(performance.now() - sent)
  }
  return rtts
}

async function main(): Promise<void> {
  const unavailable = labUnavailable()
  if (unavailable) {
    console.log(`lan bench skipped: ${unavailable}`)
    await save({ skipped: unavailable })
    return
  }
  removeLeftovers()
  console.log('loopback reference…')
  const reference = await loopbackReference()
  console.log(`LAN: ${RUNS} fresh pairs in namespaces…`)
  const lab = Lab.create(['a', 'b'], 'bench')
  const lanConnect: number[] = []
  const lanDiscovery: number[] = []
  let lanRtts: number[] = []
  let stray = 0
  let messageRtts: number[] | null = null
  try {
    for (let run = 0; run < RUNS; run++) {
      const { nodes, connectMs, discoveryMs } = await lanPair(lab, run === 0 ? { CAIRN_ECHO: '1' } : {})
      lanConnect.push(Math.max(...connectMs))
      // The pair can connect on one side's discovery before the other has heard an advert itself.
      lanDiscovery.push(Math.min(...discoveryMs.filter(Number.isFinite)))
      if (run === 0) {
        nodes[0].send({ cmd: 'ping', count: ROUND_TRIPS })
        lanRtts = (await nodes[0].wait((r) => r.type === 'rtts', 120_000, 'round trips')).ms as number[]
      }
      await Promise.all(nodes.map((n) => n.stop()))
    }
    console.log('CairnHost pair across the same link…')
    messageRtts = await hostRoundTrips(lab)
    stray = lab.strayPackets('a') + lab.strayPackets('b')
  } finally {
    lab.destroy()
  }

  const figures = {
    runs: RUNS,
    discoveryMs: { lanMedian: median(lanDiscovery), lan: lanDiscovery },
    firstConnectionMs: { lanMedian: median(lanConnect), loopbackMedian: median(reference.connectMs), lan: lanConnect, loopback: reference.connectMs },
    roundTripMs: {
      lanP50: quantile(lanRtts, 0.5),
      lanP99: quantile(lanRtts, 0.99),
      loopbackP50: quantile(reference.rtts, 0.5),
      loopbackP99: quantile(reference.rtts, 0.99),
      count: lanRtts.length
    },
    messageRoundTripMs: messageRtts && {
      hostP50: quantile(messageRtts, 0.5),
      hostP99: quantile(messageRtts, 0.99),
      count: messageRtts.length
    },
    strayPackets: stray
  }
  const rt = figures.roundTripMs
  console.log('                                   LAN (namespaces)   loopback testnet   ratio')
  console.log(`first connection, median of ${RUNS}     ${ms(median(lanConnect)).padEnd(18)} ${ms(median(reference.connectMs)).padEnd(18)} ${(median(lanConnect) / median(reference.connectMs)).toFixed(1)}x`)
  console.log(`  of which discovery (first peer)  ${ms(median(lanDiscovery))}`)
  console.log(`round trip p50                     ${ms(rt.lanP50).padEnd(18)} ${ms(rt.loopbackP50).padEnd(18)} ${(rt.lanP50 / rt.loopbackP50).toFixed(1)}x`)
  console.log(`round trip p99                     ${ms(rt.lanP99).padEnd(18)} ${ms(rt.loopbackP99).padEnd(18)} ${(rt.lanP99 / rt.loopbackP99).toFixed(1)}x`)
  if (messageRtts) {
    const [p50, p99] = [quantile(messageRtts, 0.5), quantile(messageRtts, 0.99)]
    console.log(`Cairn message round trip p50       ${ms(p50).padEnd(18)} (bare link ${ms(rt.lanP50)}, ${(p50 / rt.lanP50).toFixed(0)}x)`)
    console.log(`Cairn message round trip p99       ${ms(p99).padEnd(18)} (bare link ${ms(rt.lanP99)}, ${(p99 / rt.lanP99).toFixed(0)}x)`)
  } else {
    console.log('Cairn message round trip: skipped, the two CairnHosts never chatted over the LAN')
  }
  console.log('(LAN first connection counts from process start: mDNS, two DHT nodes, swarm join; loopback from swarm creation on a ready testnet.)')
  console.log(`packets that tried to leave the LAN: ${stray}`)
  await save(figures)
}

await main()

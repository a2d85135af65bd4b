// Messaging benchmark: (1) send() on A → message event on B, against a bare Hyperswarm echo of the
// same bytes between the same two processes; (2) catch-up of 10,000 messages written while B was
// away, against bare Hypercore replication of the same blocks; (3) resident memory of a node with
// 100 contacts and 100,000 stored messages once its search index is built: compiled as the shipped
// CLI is and started with its node flags (what the target is for), and from a checkout through tsx,
// with those flags and as plain node. A runs here, B in bench/messaging-peer.ts.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import Corestore from 'corestore'
import { build } from 'esbuild'
import Hypercore from 'hypercore'
import HyperDHT from 'hyperdht'
import Hyperswarm from 'hyperswarm'
import { CairnHost } from '../core/host/host'
import type { Contact, Profile } from '../core/api/types'
import { randomBytes } from '../core/crypto'
import { encodeContactId, generateIdentity, openKeystore } from '../core/identity'
import type { ContactRecord, MessageRecord } from '../core/messenger/records'
import { openProfileStore } from '../core/messenger/profile-store'
import { createLocalTestnet } from '../core/net/testnet'
import { profileLayout } from '../core/profile/layout'
import { keys } from '../core/store'
import { cliLaunch, describeLaunch, type Launch } from './cli-launch'

const LATENCY_MESSAGES = 1000
const CATCHUP_MESSAGES = 10_000
const MEMORY_CONTACTS = 100
const MEMORY_MESSAGES = 100_000
const IDLE_MS = 10_000
const PASS = 'bench passphrase'
// MESSAGING_PARTS=catchup (or latency,memory) runs only those parts; all three by default.
const PARTS = new Set((process.env.MESSAGING_PARTS ?? 'latency,catchup,memory').split(','))
const TEXT = 'x'.repeat(100)
// MESSAGING_PEER_FLAGS: node flags for the peer of the latency and catch-up parts (e.g. --cpu-prof to profile B's catch-up).
const PEER_FLAGS = (process.env.MESSAGING_PEER_FLAGS ?? '').split(' ').filter(Boolean)

type Line = { id?: number; ok?: boolean; result?: unknown; error?: string; ready?: true; message?: string; echo?: number; block?: number; sync?: { done: number; total: number } }

class PeerProcess {
  private readonly proc: ChildProcess
  private readonly waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>()
  private nextId = 1
  private listener: ((line: Line) => void) | null = null
  readonly ready: Promise<void>

  /** `bundle`: the peer compiled by esbuild, run without tsx, as the shipped CLI and app run. */
  constructor(launch: Launch = { flags: PEER_FLAGS, env: {} }, bundle?: string) {
    const entry = bundle ? [bundle] : ['--import', 'tsx', join(import.meta.dirname, 'messaging-peer.ts')]
    this.proc = spawn(process.execPath, [...launch.flags, '--expose-gc', ...entry], {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, ...launch.env }
    })
    let onReady = () => undefined as void
    this.ready = new Promise((r) => (onReady = r))
    createInterface({ input: this.proc.stdout! }).on('line', (text) => {
      const line = JSON.parse(text) as Line
      if (line.ready) return onReady()
      if (line.id !== undefined) {
        const w = this.waiting.get(line.id)
        this.waiting.delete(line.id)
        if (line.ok) w?.resolve(line.result)
        else w?.reject(new Error(line.error))
        return
      }
      this.listener?.(line)
    })
  }

  run<T>(cmd: Record<string, unknown>): Promise<T> {
    const id = this.nextId++
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject })
      this.proc.stdin!.write(JSON.stringify({ id, ...cmd }) + '\n')
    })
  }

  call<T>(method: string, ...args: unknown[]): Promise<T> {
    return this.run<T>({ op: 'call', method, args })
  }

  /** Resolves with the time of the first line matching pred. */
  next(pred: (line: Line) => boolean): Promise<number> {
    return new Promise((resolve) => {
      this.listener = (line) => {
        if (!pred(line)) return
        this.listener = null
        resolve(performance.now())
      }
    })
  }

  async exit(): Promise<void> {
    const exited = new Promise((r) => this.proc.once('exit', r))
    await this.run({ op: 'exit' }).catch(() => undefined)
    await exited
  }
}

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

async function until(cond: () => Promise<boolean>, label: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${label}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

const fmt = (n: number) => n.toFixed(2)
const root = await mkdtemp(join(tmpdir(), 'cairn-bench-msg-'))
const testnet = await createLocalTestnet(3)
const peer = new PeerProcess()
const results: Record<string, unknown> = {}

try {
  await peer.ready
  const a = new CairnHost({ profileDir: join(root, 'a'), bootstrap: testnet.bootstrap, lanDiscovery: false })
  const aId = (await a.create('Alice', PASS)).id
  await peer.run({ op: 'host', profileDir: join(root, 'b'), bootstrap: testnet.bootstrap })
  const bId = (await peer.call<Profile>('create', 'Bob', PASS)).id
  await a.addContact(bId, 'Bob')
  await peer.call('addContact', aId, 'Alice')
  await until(async () => (await a.contacts())[0].presence !== 'offline', 'A and B connect')

  // The bench reads A's own log directly (its length and blocks), reaching past the API on purpose.
  const aInternals = a as unknown as {
    messenger: { directory: { conversations(): Iterable<{ logs: { mine: Hypercore } }> }; store: { settled(): Promise<void> }; epochs: { idle(): Promise<void> } }
  }
  const ownLog = [...aInternals.messenger.directory.conversations()][0].logs.mine

  // (1) latency
  if (PARTS.has('latency')) await latencyPart()
  async function latencyPart(): Promise<void> {
    for (let i = 0; i < 20; i++) {
      const seen = peer.next((l) => l.message !== undefined)
      await a.send(bId, TEXT)
      await seen
    }
    const cairn: number[] = []
    for (let i = 0; i < LATENCY_MESSAGES; i++) {
      const text = `${i} ${TEXT}`
      const seen = peer.next((l) => l.message === text)
      const start = performance.now()
      await a.send(bId, text)
      cairn.push((await seen) - start)
    }
    const envelopeBytes = (await ownLog.get(ownLog.length - 1))!.length

    const topic = randomBytes(32)
    await peer.run({ op: 'echo', bootstrap: testnet.bootstrap, topic: topic.toString('hex') })
    const client = new Hyperswarm({ dht: new HyperDHT({ bootstrap: testnet.bootstrap, host: '127.0.0.1' }) })
    const connected = new Promise<import('hyperdht').NoiseSecretStream>((r) => client.once('connection', r))
    client.join(topic, { client: true, server: false })
    const conn = await connected
    conn.on('error', () => undefined)
    const floor: number[] = []
    for (let i = 0; i < 20 + LATENCY_MESSAGES; i++) {
      const payload = randomBytes(envelopeBytes)
      payload.writeUInt32BE(i, 0)
      const seen = peer.next((l) => l.echo === i)
      const start = performance.now()
      conn.write(payload)
      const took = (await seen) - start
      if (i >= 20) floor.push(took)
    }
    await client.destroy()

    // The floor of what Cairn is built on: a bare Hypercore block appended here (a durable local
    // write) and replicated live to the other process. The echo is one network hop; a replicated
    // block takes three (new length, request, data), and Cairn adds one durable store commit per side.
    const followed = new Hypercore(join(root, 'follow'))
    await followed.ready()
    const followTopic = randomBytes(32)
    const followServer = new Hyperswarm({ dht: new HyperDHT({ bootstrap: testnet.bootstrap, host: '127.0.0.1' }) })
    followServer.on('connection', (c) => {
      c.on('error', () => undefined)
      followed.replicate(c)
    })
    await followServer.join(followTopic, { server: true, client: false }).flushed()
    await peer.run({ op: 'follow', bootstrap: testnet.bootstrap, topic: followTopic.toString('hex'), key: followed.key!.toString('hex') })
    const replication: number[] = []
    for (let i = 0; i < 20 + LATENCY_MESSAGES; i++) {
      const seen = peer.next((l) => l.block === i)
      const start = performance.now()
      await followed.append(randomBytes(envelopeBytes))
      const took = (await seen) - start
      if (i >= 20) replication.push(took)
    }
    await followServer.destroy()
    await followed.close()

    const latency = {
      messages: LATENCY_MESSAGES,
      envelopeBytes,
      cairn: { p50: pct(cairn, 50), p99: pct(cairn, 99) },
      floor: { p50: pct(floor, 50), p99: pct(floor, 99) },
      ratio: { p50: pct(cairn, 50) / pct(floor, 50), p99: pct(cairn, 99) / pct(floor, 99) },
      target: { p50: 2, p99: 3 },
      bareHypercore: { p50: pct(replication, 50), p99: pct(replication, 99) },
      ratioToBareHypercore: { p50: pct(cairn, 50) / pct(replication, 50), p99: pct(cairn, 99) / pct(replication, 99) }
    }
    results.latency = latency
    console.log(`latency over ${LATENCY_MESSAGES} messages (ms)    cairn      bare echo   ratio   target`)
    console.log(`  p50                                ${fmt(latency.cairn.p50).padStart(8)}  ${fmt(latency.floor.p50).padStart(8)}   ${fmt(latency.ratio.p50).padStart(5)}×  ≤ 2×`)
    console.log(`  p99                                ${fmt(latency.cairn.p99).padStart(8)}  ${fmt(latency.floor.p99).padStart(8)}   ${fmt(latency.ratio.p99).padStart(5)}×  ≤ 3×`)
    console.log(`  against bare Hypercore append → live replication → get (same processes, same bytes):`)
    console.log(`  p50 ${fmt(latency.bareHypercore.p50)} ms (cairn ${fmt(latency.ratioToBareHypercore.p50)}×), p99 ${fmt(latency.bareHypercore.p99)} ms (cairn ${fmt(latency.ratioToBareHypercore.p99)}×)`)
  }

  // (2) catch-up
  if (PARTS.has('catchup')) await catchupPart()
  async function catchupPart(): Promise<void> {
    // A writes with a session only once B's hello brought its prekey bundle: without one, the burst
    // would wait queued for B (run alone, this part comes right after the first connection).
    const first = peer.next((l) => l.message !== undefined)
    await a.send(bId, TEXT)
    await first
    await peer.call('lock')
    const firstBlock = ownLog.length
    // One burst: the sends are issued at once and the store commits them in groups.
    const writeStart = performance.now()
    await Promise.all(Array.from({ length: CATCHUP_MESSAGES }, (_, i) => a.send(bId, `${i} ${TEXT}`)))
    await until(async () => ownLog.length === firstBlock + CATCHUP_MESSAGES, 'all appended')
    const writeMs = performance.now() - writeStart
    // B was away while A wrote: A's store finishes its own work (journals applied, a new epoch) first
    const settleStart = performance.now()
    await aInternals.messenger.store.settled()
    await aInternals.messenger.epochs.idle()
    const settleMs = performance.now() - settleStart
    const caughtUp = peer.next((l) => l.sync !== undefined && l.sync.done >= firstBlock + CATCHUP_MESSAGES && l.sync.done === l.sync.total)
    const catchStart = performance.now()
    await peer.call('unlock', PASS)
    const unlockMs = performance.now() - catchStart
    const catchMs = (await caughtUp) - catchStart

    const bareDir = join(root, 'bare')
    await mkdir(bareDir)
    const bare = new Hypercore(bareDir)
    await bare.ready()
    const blocks: Buffer[] = []
    for (let i = firstBlock; i < firstBlock + CATCHUP_MESSAGES; i++) blocks.push((await ownLog.get(i))!)
    await bare.append(blocks)
    const bareTopic = randomBytes(32)
    const server = new Hyperswarm({ dht: new HyperDHT({ bootstrap: testnet.bootstrap, host: '127.0.0.1' }) })
    server.on('connection', (c) => {
      c.on('error', () => undefined)
      bare.replicate(c)
    })
    await server.join(bareTopic, { server: true, client: false }).flushed()
    const { totalMs: bareMs, afterConnectMs } = await peer.run<{ totalMs: number; afterConnectMs: number }>({ op: 'fetch', bootstrap: testnet.bootstrap, topic: bareTopic.toString('hex'), key: bare.key!.toString('hex'), length: CATCHUP_MESSAGES })
    const inProcessMs = await fetchHere(bare, bareTopic, CATCHUP_MESSAGES)
    await server.destroy()
    await bare.close()
    const catchup = {
      messages: CATCHUP_MESSAGES,
      cairnMs: catchMs,
      cairnUnlockMs: unlockMs,
      bareReplicationMs: bareMs,
      bareAfterConnectMs: afterConnectMs,
      bareInOneProcessMs: inProcessMs,
      ratioToInOneProcess: catchMs / inProcessMs,
      ratio: catchMs / bareMs,
      target: 3,
      cairnMsgsPerSec: (CATCHUP_MESSAGES / catchMs) * 1000,
      bareBlocksPerSec: (CATCHUP_MESSAGES / bareMs) * 1000,
      sendMsgsPerSec: (CATCHUP_MESSAGES / writeMs) * 1000,
      writerSettleMs: settleMs
    }
    results.catchup = catchup
    console.log(`catch-up of ${CATCHUP_MESSAGES} messages      cairn      bare hypercore   ratio   target`)
    console.log(`  time (ms)                          ${fmt(catchMs).padStart(8)}  ${fmt(bareMs).padStart(8)}         ${fmt(catchup.ratio).padStart(5)}×  ≤ 3× (issue 12: ≤ 1.2×)`)
    console.log(`  load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`)
    console.log(`  (cairn's time includes unlocking B, passphrase KDF and store opening: ${fmt(unlockMs)} ms)`)
    console.log(`  (bare replication alone, from its connection: ${fmt(afterConnectMs)} ms; both times include finding the peer)`)
    console.log(`  bare, both ends in this process   ${fmt(inProcessMs).padStart(8)}           ratio ${fmt(catchMs / inProcessMs)}×`)
    console.log(`  msgs/s                             ${catchup.cairnMsgsPerSec.toFixed(0).padStart(8)}  ${catchup.bareBlocksPerSec.toFixed(0).padStart(8)}`)
    console.log(`  A wrote them in one burst at ${catchup.sendMsgsPerSec.toFixed(0)} msgs/s (send() → durable → appended; bench/burst.bench.ts: target ≥ 10,000), and its store settled ${fmt(settleMs)} ms later, before B came back`)
  }
  await a.close()
  await peer.call('lock')

  // (3) memory
  if (PARTS.has('memory')) await memoryPart()
  async function memoryPart(): Promise<void> {
    const memDir = join(root, 'mem')
    const seeder = new CairnHost({ profileDir: memDir, bootstrap: testnet.bootstrap, lanDiscovery: false })
    await seeder.create('Memory', PASS)
    await seeder.close()
    await seed(memDir)
    const cli = cliLaunch()
    const shipped = await memoryOf(memDir, cli, await bundlePeer())
    const asCli = await memoryOf(memDir, cli)
    const plain = await memoryOf(memDir, { flags: [], env: {} })
    results.memory = { contacts: MEMORY_CONTACTS, messages: MEMORY_MESSAGES, launch: describeLaunch(cli), shipped, asCli, plainNode: plain, targetMB: 150 }
    const mb = (n: number) => `${(n / 2 ** 20).toFixed(1)} MB`
    const line = (m: NodeJS.MemoryUsage) => `RSS ${mb(m.rss).padStart(8)}   (JS heap used ${mb(m.heapUsed)} of ${mb(m.heapTotal)}, buffers ${mb(m.external)})`
    console.log(`memory with ${MEMORY_CONTACTS} contacts and ${MEMORY_MESSAGES} stored messages, unlocked, 10 histories read, search index built (target < 150 MB):`)
    const runs = [
      [`as shipped: compiled by esbuild, started as the CLI (${describeLaunch(cli)})`, shipped],
      ['from a checkout: the same through tsx, as bin/cairn.js runs', asCli],
      ['from a checkout, plain node through tsx', plain]
    ] as const
    for (const [name, m] of runs) {
      console.log(`  ${name}`)
      console.log(`    once the index is built    ${line(m.built)}`)
      console.log(`    after ${IDLE_MS / 1000} s idle           ${line(m.idle)}`)
    }
  }

  /** A node on the seeded profile, after unlock, 10 histories and the search index's build at unlock. */
  async function memoryOf(memDir: string, launch: Launch, bundle?: string): Promise<{ built: NodeJS.MemoryUsage; idle: NodeJS.MemoryUsage }> {
    const mem = new PeerProcess(launch, bundle)
    await mem.ready
    await mem.run({ op: 'host', profileDir: memDir, bootstrap: testnet.bootstrap })
    await mem.call('unlock', PASS)
    const contacts = await mem.call<Contact[]>('contacts')
    if (contacts.length !== MEMORY_CONTACTS) throw new Error(`the seeded profile has ${contacts.length} contacts`)
    for (const c of contacts.slice(0, 10)) await mem.call('history', c.id, { limit: 100 })
    // a search answers once the index holds the whole history read at unlock
    await mem.call('search', 'x')
    const built = await mem.run<NodeJS.MemoryUsage>({ op: 'rss' })
    // V8 gives back heap it grew into during the build once the process idles for a while
    await new Promise((r) => setTimeout(r, IDLE_MS))
    const idle = await mem.run<NodeJS.MemoryUsage>({ op: 'rss' })
    await mem.exit()
    return { built, idle }
  }

  await mkdir('bench-results', { recursive: true })
  await writeFile('bench-results/messaging.json', JSON.stringify(results, null, 2) + '\n')
} finally {
  await peer.exit()
  await testnet.destroy()
  await rm(root, { recursive: true, force: true })
}

/**
 * The peer compiled as scripts/build-cli.ts compiles the CLI. It is written under bench-results/ in
 * the checkout so that its imports resolve in node_modules, as cli-dist/'s do.
 */
async function bundlePeer(): Promise<string> {
  const outfile = join(import.meta.dirname, '..', 'bench-results', 'messaging-peer.mjs')
  await build({
    entryPoints: [join(import.meta.dirname, 'messaging-peer.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning'
  })
  return outfile
}

/** Bare replication of the same core with the reader in this process too: the tighter floor. */
async function fetchHere(source: Hypercore, topic: Buffer, length: number): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-bench-here-'))
  const core = new Hypercore(dir, source.key)
  await core.ready()
  const swarm = new Hyperswarm({ dht: new HyperDHT({ bootstrap: testnet.bootstrap, host: '127.0.0.1' }) })
  swarm.on('connection', (c) => {
    c.on('error', () => undefined)
    core.replicate(c)
  })
  const started = performance.now()
  swarm.join(topic, { server: false, client: true })
  const download = core.download({ start: 0, end: -1 })
  while (core.length < length) await new Promise((r) => core.once('append', r))
  for (let i = 0; i < length; i++) await core.get(i)
  const took = performance.now() - started
  download.destroy()
  await swarm.destroy()
  await core.close()
  await rm(dir, { recursive: true, force: true })
  return took
}

/** Writes contacts and their history straight into a closed profile's store, as the messenger lays them out. */
async function seed(profileDir: string): Promise<void> {
  const secrets = await openKeystore(profileLayout(profileDir).keystore, PASS)
  const corestore = new Corestore(profileLayout(profileDir).cores)
  const epochs = await openProfileStore(corestore, profileDir, secrets.storageKey, { onError: (err) => console.error(err) })
  const store = epochs.store
  const perContact = MEMORY_MESSAGES / MEMORY_CONTACTS
  const now = Date.now()
  for (let c = 0; c < MEMORY_CONTACTS; c++) {
    const pk = generateIdentity().publicKey
    const tag = store.tag(pk)
    const rec: ContactRecord = {
      pk: pk.toString('hex'),
      name: `Contact ${c} ${encodeContactId(pk).slice(0, 6)}`,
      addedAt: now,
      blocked: false,
      verified: false,
      announcedName: null,
      theirLog: null,
      logFault: null,
      bundle: null,
      consumed: perContact,
      readBlocks: perContact,
      outCount: 0,
      delivered: 0,
      read: 0,
      nextSeq: perContact,
      readSeq: perContact,
      unread: 0,
      lastMessage: { direction: 'in', text: TEXT, at: now },
      lastActivity: now,
      requested: false,
      sessions: []
    }
    await store.write((tx) => {
      tx.putJson(keys.contact(tag), rec)
      for (let i = 0; i < perContact; i++) {
        const m: MessageRecord = { id: `${tag.subarray(0, 6).toString('hex')}-${i}`, dir: 'in', text: `${i} ${TEXT}`, sentAt: now, receivedAt: now, block: i }
        tx.putJson(keys.message(tag, i), m)
      }
    })
  }
  await epochs.close()
  await corestore.close()
}

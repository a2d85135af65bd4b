// Home node benchmark, the box running as the real daemon (`cairn home run`, its own process):
//  (1) send → fetchable from the home node: Alice appends a ratchet envelope to her log, Bob (never
//      connected to Alice) has it from her box; reference: the same block replicated Alice → Bob
//      directly. Target ≤ 5 s.
//  (2) 100 waiting messages: written while Bob was away, Alice closed; time from Bob starting to
//      dial the box to having every one decrypted; reference: the same 100 straight from Alice. Target ≤ 2 s.
//  (3) the box's idle RSS with one profile and its logs, run as in production from the compiled CLI
//      (npm run build:cli → node cli-dist/cairn.mjs home run); references: the same box run from the
//      sources through tsx, and a bare Hyperswarm server process. Target ≤ 80 MB.
//  (4) the box's disk per message over the ciphertext it holds, for short and 4 KB messages, at rest
//      (daemon stopped: its write-ahead log flushed). Counted: every file RocksDB keeps for the data
//      (tables, blob files, write-ahead log, manifest, options); printed apart: RocksDB's text info
//      logs (LOG, LOG.old.*), which grow by one file per start, not per message. Reference: Alice's
//      own corestore for the same log. Target ≤ 10 %.
import type { IdentityKeyPair } from '../core/identity'
import type { SignedPrekey } from '../core/ratchet'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Corestore from 'corestore'
import type Hypercore from 'hypercore'
import HyperDHT from 'hyperdht'
import { cryptoReady } from '../core/crypto'
import { generateIdentity } from '../core/identity'
import { createBoxKey, decodePairingCode, HomeBox, HomeClient, linkKeyPair, newLinkSalt } from '../core/home'
import { createLocalTestnet } from '../core/net/testnet'
import { Session, bundleOf, generateSignedPrekey } from '../core/ratchet'
import { buildCli, CLI_BUNDLE } from '../scripts/build-cli'

// Sessions start only from a signed prekey: each identity publishes one, and reads with it.
const signedPrekeys = new Map<string, SignedPrekey>()
function prekeyOf(identity: IdentityKeyPair): SignedPrekey {
  const hex = identity.publicKey.toString('hex')
  let prekey = signedPrekeys.get(hex)
  if (prekey === undefined) {
    prekey = generateSignedPrekey(identity, 1)
    signedPrekeys.set(hex, prekey)
  }
  return prekey
}


const LATENCY_ROUNDS = 30
const WAITING = 100
const STORAGE_MESSAGES = 1000
const TEXT = 'x'.repeat(100)
const ROOT = join(import.meta.dirname, '..')

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)]
const ms = (n: number) => `${n.toFixed(1)} ms`

/** RocksDB's human-readable info logs: not data, one more per start. */
const isInfoLog = (name: string) => /(^|\/)LOG(\.old\.\d+)?$/.test(name)

async function dirBytes(dir: string, which: 'data' | 'info' | 'all' = 'all'): Promise<number> {
  let total = 0
  for (const entry of await readdir(dir, { recursive: true })) {
    const s = await stat(join(dir, entry))
    if (!s.isFile() || (which === 'data' && isInfoLog(entry)) || (which === 'info' && !isInfoLog(entry))) continue
    total += s.size
  }
  return total
}

async function rssMB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024
}

function waitForLine(proc: ChildProcess, pattern: RegExp, timeoutMs = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = ''
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}: ${seen}`)), timeoutMs)
    const on = (chunk: Buffer) => {
      seen += chunk.toString()
      if (pattern.test(seen)) {
        clearTimeout(timer)
        resolve()
      }
    }
    proc.stderr!.on('data', on)
    proc.stdout!.on('data', on)
  })
}

async function store(dir: string): Promise<Corestore> {
  const s = new Corestore(dir)
  await s.ready()
  return s
}

async function main(): Promise<void> {
  await cryptoReady()
  await buildCli()
  const testnet = await createLocalTestnet(3)
  const bootstrap = testnet.bootstrap
  const tmp = await mkdtemp(join(tmpdir(), 'cairn-home-bench-'))
  const boxDir = join(tmp, 'box')
  await createBoxKey(boxDir)
  const offline = await HomeBox.open({ dir: boxDir })
  const codes = [decodePairingCode(await offline.createPairingCode())]
  const boxKey = offline.publicKey
  await offline.close()

  let daemon = await startDaemon(boxDir, bootstrap)
  const closers: (() => Promise<unknown>)[] = []
  const results: Record<string, unknown> = {}
  try {
    const alice = generateIdentity()
    const bob = generateIdentity()
    const aliceStore = await store(join(tmp, 'alice'))
    closers.push(() => aliceStore.close())
    const owner = await HomeClient.connect(boxKey, { keyPair: linkKeyPair(alice.secretKey, boxKey, newLinkSalt()), bootstrap })
    closers.push(() => owner.close())
    await owner.pair(codes[0])
    const session = Session.initiate(alice, bob.publicKey, bundleOf(bob, prekeyOf(bob)))

    // (1) latency through the box, and the direct reference
    const log = aliceStore.get({ name: 'out/bob' })
    await log.ready()
    await owner.keep(log)
    const guestKey = HyperDHT.keyPair()
    await owner.grant(guestKey.publicKey, [log.key!])
    const bobStore = await store(join(tmp, 'bob'))
    closers.push(() => bobStore.close())
    const reader = bobStore.get({ key: log.key! })
    await reader.ready()
    const guest = await HomeClient.connect(boxKey, { keyPair: guestKey, bootstrap })
    closers.push(() => guest.close())
    await guest.want(reader)
    const viaBox: number[] = []
    for (let i = 0; i < LATENCY_ROUNDS; i++) {
      const t0 = performance.now()
      const { length } = await log.append(session.encrypt(Buffer.from(TEXT)))
      await reader.get(length - 1, { timeout: 20_000 })
      viaBox.push(performance.now() - t0)
    }
    const direct = await directLatency(bootstrap, tmp, session)
    results.sendToFetchable = { messages: LATENCY_ROUNDS, medianMs: median(viaBox), p90Ms: p90(viaBox), directMedianMs: median(direct), targetMs: 5000 }
    console.log(`(1) send → fetchable from the home node (${LATENCY_ROUNDS} messages): median ${ms(median(viaBox))}, p90 ${ms(p90(viaBox))}`)
    console.log(`    reference, Alice → Bob directly:                       median ${ms(median(direct))}, p90 ${ms(p90(direct))}; target ≤ 5000 ms`)

    // (2) 100 messages waiting on the box, Alice gone
    await guest.close()
    const waitingLog = aliceStore.get({ name: 'out/bob-2' })
    await waitingLog.ready()
    const waitingSession = Session.initiate(alice, bob.publicKey, bundleOf(bob, prekeyOf(bob)))
    const envelopes = Array.from({ length: WAITING }, (_, i) => waitingSession.encrypt(Buffer.from(`${i} ${TEXT}`)))
    await waitingLog.append(envelopes)
    await owner.keep(waitingLog)
    // A fresh guest key: the first one's connection may still be closing on the box's side.
    const laterKey = HyperDHT.keyPair()
    await owner.grant(laterKey.publicKey, [waitingLog.key!])
    while ((await owner.status()).bytes < waitingLog.byteLength + log.byteLength) await new Promise((r) => setTimeout(r, 20))
    await owner.close()
    const fromBox = await catchUp(boxKey, laterKey, bootstrap, join(tmp, 'bob-later'), waitingLog.key!, bob, alice.publicKey)
    const fromAlice = await catchUpDirect(bootstrap, join(tmp, 'direct'), envelopes, bob, alice.publicKey)
    results.waiting = { messages: WAITING, fromHomeMs: fromBox, fromAliceMs: fromAlice, targetMs: 2000 }
    console.log(`(2) ${WAITING} waiting messages, Bob coming online with Alice closed: ${ms(fromBox)} from the home node`)
    console.log(`    reference, the same ${WAITING} straight from Alice:                 ${ms(fromAlice)}; target ≤ 2000 ms`)

    // (3) idle RSS
    await new Promise((r) => setTimeout(r, 2000))
    const boxRss = await rssMB(daemon.pid!)
    const other: Record<string, number> = {}
    for (const how of ['compiled', 'sources'] as const) {
      await stopDaemon(daemon)
      daemon = await startDaemon(boxDir, bootstrap, how)
      await new Promise((r) => setTimeout(r, 2000))
      other[how] = await rssMB(daemon.pid!)
    }
    await stopDaemon(daemon)
    daemon = await startDaemon(boxDir, bootstrap)
    const bareRss = await bareSwarmRss(bootstrap)
    results.idle = { rssMB: boxRss, compiledNoFlagsFreshRssMB: other.compiled, fromSourcesFreshRssMB: other.sources, bareSwarmRssMB: bareRss, targetMB: 80 }
    console.log(`(3) home node idle RSS (1 profile, 2 logs, after serving (1) and (2)), run as the README's unit runs it: ${boxRss.toFixed(1)} MB; target ≤ 80 MB`)
    console.log(`    references, restarted idle: compiled without the unit's flags ${other.compiled.toFixed(1)} MB, from the sources through tsx ${other.sources.toFixed(1)} MB; a bare Hyperswarm server process ${bareRss.toFixed(1)} MB`)

    // (4) storage overhead
    for (const size of [TEXT.length, 4096]) {
      const { overhead, reference, perMessage, infoLogBytes, envelopeBytes } = await storageOverhead(boxDir, boxKey, bootstrap, tmp, alice, bob, size, async () => {
        await stopDaemon(daemon)
        const bytes = { data: await dirBytes(join(boxDir, 'cores'), 'data'), info: await dirBytes(join(boxDir, 'cores'), 'info') }
        daemon = await startDaemon(boxDir, bootstrap)
        return bytes
      })
      results[`storage${size}`] = { messages: STORAGE_MESSAGES, textBytes: size, envelopeBytes, overhead, reference, perMessage, infoLogBytes, target: 0.1 }
      console.log(
        `(4) disk over ciphertext at rest, ${STORAGE_MESSAGES} × ${size}-byte texts (${envelopeBytes} B envelopes): home node +${(overhead * 100).toFixed(1)} % (${perMessage.toFixed(0)} B/message); ` +
          `reference, Alice's own corestore: +${(reference * 100).toFixed(1)} %; target ≤ 10 %`
      )
      console.log(`    not counted: RocksDB info logs grew ${infoLogBytes} B over the daemon's two starts in this step`)
    }
    await mkdir(join(ROOT, 'bench-results'), { recursive: true })
    await writeFile(join(ROOT, 'bench-results', 'home.json'), JSON.stringify(results, null, 2) + '\n')
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined)
    await stopDaemon(daemon)
    await testnet.destroy()
    await rm(tmp, { recursive: true, force: true })
  }
}

/** How the README's systemd unit runs the box: the compiled CLI, a 1 MB young generation, two malloc arenas. */
const UNIT_NODE_FLAGS = ['--max-semi-space-size=1']
const UNIT_ENV = { MALLOC_ARENA_MAX: '2' }

type DaemonRun = 'unit' | 'compiled' | 'sources'

async function startDaemon(boxDir: string, bootstrap: { host: string; port: number }[], how: DaemonRun = 'unit'): Promise<ChildProcess> {
  const args = ['home', 'run', '--no-lan', '--profile', boxDir, '--bootstrap', bootstrap.map((b) => `${b.host}:${b.port}`).join(',')]
  const entry = how === 'sources' ? join(ROOT, 'bin/cairn.js') : CLI_BUNDLE
  const flags = how === 'unit' ? UNIT_NODE_FLAGS : []
  const env = how === 'unit' ? { ...process.env, ...UNIT_ENV } : process.env
  const proc = spawn(process.execPath, [...flags, entry, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env })
  await waitForLine(proc, /listening;/)
  return proc
}

async function stopDaemon(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return
  const exited = new Promise((r) => proc.once('exit', r))
  proc.kill('SIGTERM')
  await exited
}

async function directLatency(bootstrap: { host: string; port: number }[], tmp: string, session: Session): Promise<number[]> {
  const a = await store(join(tmp, 'direct-a'))
  const b = await store(join(tmp, 'direct-b'))
  const core = a.get({ name: 'log' })
  await core.ready()
  const reader = b.get({ key: core.key! })
  await reader.ready()
  const dhtA = new HyperDHT({ bootstrap, host: '127.0.0.1' })
  const dhtB = new HyperDHT({ bootstrap, host: '127.0.0.1' })
  const server = dhtA.createServer({}, (stream) => core.replicate(stream))
  const kp = HyperDHT.keyPair()
  await server.listen(kp)
  const stream = dhtB.connect(kp.publicKey)
  stream.on('error', () => undefined)
  reader.replicate(stream)
  const out: number[] = []
  for (let i = 0; i < LATENCY_ROUNDS; i++) {
    const t0 = performance.now()
    const { length } = await core.append(session.encrypt(Buffer.from(TEXT)))
    await reader.get(length - 1, { timeout: 20_000 })
    out.push(performance.now() - t0)
  }
  stream.destroy()
  await Promise.all([dhtA.destroy(), dhtB.destroy(), a.close(), b.close()])
  return out
}

async function readAll(reader: Hypercore, count: number, bob: ReturnType<typeof generateIdentity>, alicePub: Buffer): Promise<void> {
  const first = await reader.get(0, { timeout: 20_000 })
  const { session } = Session.respond(bob, alicePub, first!, (id) => (id === 1 ? prekeyOf(bob) : null))
  const rest = await Promise.all(Array.from({ length: count - 1 }, (_, i) => reader.get(i + 1, { timeout: 20_000 })))
  for (const block of rest) session.decrypt(block!)
}

async function catchUp(
  boxKey: Buffer,
  guestKey: { publicKey: Buffer; secretKey: Buffer },
  bootstrap: { host: string; port: number }[],
  dir: string,
  logKey: Buffer,
  bob: ReturnType<typeof generateIdentity>,
  alicePub: Buffer
): Promise<number> {
  const s = await store(dir)
  const reader = s.get({ key: logKey })
  await reader.ready()
  const t0 = performance.now()
  const guest = await HomeClient.connect(boxKey, { keyPair: guestKey, bootstrap })
  await guest.want(reader)
  await readAll(reader, WAITING, bob, alicePub)
  const took = performance.now() - t0
  await guest.close()
  await s.close()
  return took
}

async function catchUpDirect(
  bootstrap: { host: string; port: number }[],
  dir: string,
  envelopes: Buffer[],
  bob: ReturnType<typeof generateIdentity>,
  alicePub: Buffer
): Promise<number> {
  const a = await store(join(dir, 'a'))
  const core = a.get({ name: 'log' })
  await core.ready()
  await core.append(envelopes)
  const b = await store(join(dir, 'b'))
  const reader = b.get({ key: core.key! })
  await reader.ready()
  const dhtA = new HyperDHT({ bootstrap, host: '127.0.0.1' })
  const server = dhtA.createServer({}, (stream) => core.replicate(stream))
  const kp = HyperDHT.keyPair()
  await server.listen(kp)
  const t0 = performance.now()
  const dhtB = new HyperDHT({ bootstrap, host: '127.0.0.1' })
  const stream = dhtB.connect(kp.publicKey)
  stream.on('error', () => undefined)
  reader.replicate(stream)
  await readAll(reader, envelopes.length, bob, alicePub)
  const took = performance.now() - t0
  stream.destroy()
  await Promise.all([dhtA.destroy(), dhtB.destroy(), a.close(), b.close()])
  return took
}

async function bareSwarmRss(bootstrap: { host: string; port: number }[]): Promise<number> {
  const script = `import Hyperswarm from 'hyperswarm'; import HyperDHT from 'hyperdht';
const swarm = new Hyperswarm({ dht: new HyperDHT({ bootstrap: ${JSON.stringify(bootstrap)}, host: '127.0.0.1' }) });
await swarm.listen(); console.log('up'); setInterval(() => {}, 1000)`
  const proc = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  await waitForLine(proc, /up/)
  await new Promise((r) => setTimeout(r, 2000))
  const rss = await rssMB(proc.pid!)
  proc.kill('SIGTERM')
  await new Promise((r) => proc.once('exit', r))
  return rss
}

async function storageOverhead(
  boxDir: string,
  boxKey: Buffer,
  bootstrap: { host: string; port: number }[],
  tmp: string,
  alice: ReturnType<typeof generateIdentity>,
  bob: ReturnType<typeof generateIdentity>,
  size: number,
  boxBytesAtRest: () => Promise<{ data: number; info: number }>
): Promise<{ overhead: number; reference: number; perMessage: number; infoLogBytes: number; envelopeBytes: number }> {
  const aliceDir = join(tmp, `storage-alice-${size}`)
  const s = await store(aliceDir)
  const owner = await HomeClient.connect(boxKey, { keyPair: linkKeyPair(alice.secretKey, boxKey, Buffer.alloc(16, size & 0xff)), bootstrap })
  await owner.pair(decodePairingCode(await invite(boxDir)))
  const boxBefore = await boxBytesAtRest()
  await owner.close()
  const again = await HomeClient.connect(boxKey, { keyPair: linkKeyPair(alice.secretKey, boxKey, Buffer.alloc(16, size & 0xff)), bootstrap })
  const aliceBefore = await dirBytes(aliceDir, 'data')
  const log = s.get({ name: `storage-${size}` })
  await log.ready()
  const session = Session.initiate(alice, bob.publicKey, bundleOf(bob, prekeyOf(bob)))
  const text = Buffer.alloc(size, 'y')
  const blocks = Array.from({ length: STORAGE_MESSAGES }, () => session.encrypt(text))
  const ciphertext = blocks.reduce((n, b) => n + b.byteLength, 0)
  await log.append(blocks)
  await again.keep(log)
  while ((await again.status()).bytes < ciphertext) await new Promise((r) => setTimeout(r, 50))
  await again.close()
  await s.close()
  const boxAfter = await boxBytesAtRest()
  const boxGrowth = boxAfter.data - boxBefore.data
  const aliceGrowth = (await dirBytes(aliceDir, 'data')) - aliceBefore
  return {
    overhead: boxGrowth / ciphertext - 1,
    reference: aliceGrowth / ciphertext - 1,
    perMessage: (boxGrowth - ciphertext) / STORAGE_MESSAGES,
    infoLogBytes: boxAfter.info - boxBefore.info,
    envelopeBytes: Math.round(ciphertext / STORAGE_MESSAGES)
  }
}

function invite(boxDir: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [join(ROOT, 'bin/cairn.js'), 'home', 'invite', '--no-lan', '--profile', boxDir], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    proc.stdout.on('data', (c: Buffer) => (out += c.toString()))
    proc.once('exit', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`home invite exited ${code}`))))
  })
}

await main()

// A file between two Cairn nodes in separate processes on a loopback HyperDHT testnet, beside its
// references in the same run:
//   - throughput of the receiver's download (replicating the sealed chunks) against bare
//     Hypercore replication of the same bytes in 64 KiB blocks between the same two processes
//     (target: at least 0.8× of it), on hypercore-storage's default RocksDB options and again on
//     the profile's (core/profile/storage.ts), and a plain TCP copy over loopback as the physical floor;
//   - RSS growth of each process while the file moves (sender: seal + serve; receiver: download +
//     decrypt-and-save), against the 64 MB target. What grew was the storage engine's memtables
//     (RocksDB's 64 MiB write buffer by default) and block cache (32 MiB, filled by any long read),
//     which the profile's storage caps and turns off (core/profile/storage.ts), and V8's young
//     generation (bin/cairn.js caps it; the peers start node as its first line says).
//
//   npx tsx bench/files.bench.ts [--mb N]      (default 100 MB: a short run on a busy machine;
//                                               --mb 500 for the throughput figure, --mb 2048 for the 2 GiB memory figure;
//                                               or CAIRN_BENCH_FILE_MB=N)
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash, randomBytes, randomFillSync } from 'node:crypto'
import { closeSync, createReadStream, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, writeFileSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { createLocalTestnet } from '../core/net/testnet'
import { cliLaunch, describeLaunch, type Launch } from './cli-launch'
import type { BareStorage } from './files-peer'
import { PROFILE_WRITE_BUFFER_BYTES } from '../core/profile/storage'

const MB = 1024 * 1024
const flag = process.argv.indexOf('--mb')
const SIZE_MB = Number(flag > 0 ? process.argv[flag + 1] : (process.env.CAIRN_BENCH_FILE_MB ?? 100))
if (!Number.isInteger(SIZE_MB) || SIZE_MB < 1 || SIZE_MB > 4096) throw new Error('--mb takes a whole number of megabytes, 1..4096')
const SIZE = SIZE_MB * MB
const PASS = 'correct horse battery staple'
const RSS_TARGET_MB = 64

interface Memory {
  rss: number
  js: number
}

interface Line {
  ready?: boolean
  id?: number
  ok?: boolean
  result?: unknown
  error?: string
  offer?: { contact: string; id: string }
}

/** The peers start node as the CLI does (`--plain-node`: without its flags, for comparison). */
const LAUNCH: Launch = process.argv.includes('--plain-node') ? { flags: [], env: {} } : cliLaunch()

class Peer {
  private readonly proc: ChildProcess
  private readonly waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>()
  private nextId = 1
  private readonly offers: Array<{ contact: string; id: string }> = []
  readonly ready: Promise<void>

  constructor(script: string) {
    this.proc = spawn(process.execPath, [...LAUNCH.flags, '--import', 'tsx', join(import.meta.dirname, script)], {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, ...LAUNCH.env }
    })
    let onReady = () => undefined as void
    this.ready = new Promise((r) => (onReady = r))
    createInterface({ input: this.proc.stdout! }).on('line', (text) => {
      if (!text.startsWith('{')) return void process.stderr.write(`${text}\n`)
      const line = JSON.parse(text) as Line
      if (line.ready) return onReady()
      if (line.offer) return void this.offers.push(line.offer)
      if (line.id === undefined) return
      const w = this.waiting.get(line.id)
      this.waiting.delete(line.id)
      if (line.ok) w?.resolve(line.result)
      else w?.reject(new Error(line.error))
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

  async offer(deadlineMs = 60_000): Promise<{ contact: string; id: string }> {
    const end = Date.now() + deadlineMs
    while (this.offers.length === 0) {
      if (Date.now() > end) throw new Error('no file offer arrived')
      await new Promise((r) => setTimeout(r, 20))
    }
    return this.offers.shift()!
  }

  async exit(): Promise<void> {
    const closed = new Promise((r) => this.proc.once('close', r))
    await this.run({ op: 'exit' }).catch(() => undefined)
    await closed
  }
}

/** The raw TCP copy of bench/blobs-peer.ts: the file's bytes over plain loopback TCP. */
function blobsPeer(args: string[], keepOpen = false): { first: Promise<{ seconds?: number; port?: number }>; stop(): void; done: Promise<void> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'blobs-peer.ts'), ...args], { stdio: ['pipe', 'pipe', 'inherit'] })
  const first = new Promise<{ seconds?: number; port?: number }>((resolve) => createInterface({ input: proc.stdout }).once('line', (l) => resolve(JSON.parse(l))))
  const done = new Promise<void>((resolve) => proc.once('close', () => resolve()))
  if (!keepOpen) proc.stdin.end()
  return { first, stop: () => proc.stdin.end(), done }
}

function makeFile(path: string, size: number): void {
  const fd = openSync(path, 'w')
  const buf = Buffer.allocUnsafe(4 * MB)
  for (let written = 0; written < size; written += buf.byteLength) writeSync(fd, randomFillSync(buf), 0, Math.min(buf.byteLength, size - written))
  closeSync(fd)
}

async function sha256(path: string): Promise<string> {
  const h = createHash('sha256')
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer)
  return h.digest('hex')
}

async function until(label: string, cond: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out: ${label}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

const seconds = async (fn: () => Promise<unknown>): Promise<number> => {
  const start = performance.now()
  await fn()
  return (performance.now() - start) / 1000
}

const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-files-'))
const testnet = await createLocalTestnet(3)
const [sender, receiver] = [new Peer('files-peer.ts'), new Peer('files-peer.ts')]
try {
  const source = join(dir, 'source.bin')
  makeFile(source, SIZE)
  await Promise.all([sender.ready, receiver.ready])
  await sender.run({ op: 'host', profileDir: join(dir, 'a'), bootstrap: testnet.bootstrap })
  await receiver.run({ op: 'host', profileDir: join(dir, 'b'), bootstrap: testnet.bootstrap })
  const aId = (await sender.call<{ id: string }>('create', 'Alice', PASS)).id
  const bId = (await receiver.call<{ id: string }>('create', 'Bob', PASS)).id
  await sender.call('addContact', bId, 'Bob')
  await receiver.call('addContact', aId, 'Alice')
  await receiver.call('updateSettings', { autoDownloadBytes: 0 })
  const online = async (p: Peer) => (await p.call<Array<{ presence: string }>>('contacts'))[0]?.presence !== 'offline'
  await until('both online', async () => (await online(sender)) && (await online(receiver)))

  // Cairn first, in fresh processes, so its RSS growth is its own.
  const senderBase = await sender.run<Memory>({ op: 'rss-mark' })
  const sealS = await seconds(() => sender.call('sendFile', bId, source))
  const offer = await receiver.offer()
  const receiverBase = await receiver.run<Memory>({ op: 'rss-mark' })
  const downloadS = await seconds(() => receiver.call('downloadFile', aId, offer.id))
  const out = join(dir, 'saved')
  mkdirSync(out)
  const saveS = await seconds(() => receiver.call('saveFile', aId, offer.id, out))
  const receiverPeak = await receiver.run<{ peak: number; jsPeak: number }>({ op: 'rss-peak' })
  const senderPeak = await sender.run<{ peak: number; jsPeak: number }>({ op: 'rss-peak' })
  if ((await sha256(join(out, readdirSync(out)[0]))) !== (await sha256(source))) throw new Error('the saved file differs from the source')
  rmSync(out, { recursive: true })

  // Bare Hypercore replication of the same bytes between the same two processes, on RocksDB as
  // hypercore-storage sets it up and on the profile's options (the download's own storage).
  const bareSeconds = async (storage: BareStorage): Promise<number> => {
    const topic = randomBytes(32).toString('hex')
    const served = await sender.run<{ key: string; length: number }>({ op: 'bare-serve', bootstrap: testnet.bootstrap, topic, file: source, storage })
    return (await receiver.run<{ seconds: number }>({ op: 'bare-fetch', bootstrap: testnet.bootstrap, topic, key: served.key, length: served.length, storage })).seconds
  }
  const bareS = await bareSeconds('default')
  const bareProfileS = await bareSeconds('profile')

  const rawServer = blobsPeer(['raw-serve', source], true)
  const { port } = await rawServer.first
  const rawS = (await blobsPeer(['raw-get', String(port), join(dir, 'raw.bin')]).first).seconds!
  rawServer.stop()
  await rawServer.done

  const rate = (s: number) => SIZE / MB / s
  const growth = {
    senderMB: (senderPeak.peak - senderBase.rss) / MB,
    receiverMB: (receiverPeak.peak - receiverBase.rss) / MB,
    senderJsMB: (senderPeak.jsPeak - senderBase.js) / MB,
    receiverJsMB: (receiverPeak.jsPeak - receiverBase.js) / MB
  }
  const results = {
    sizeMB: SIZE_MB,
    launch: LAUNCH,
    writeBufferMB: PROFILE_WRITE_BUFFER_BYTES / MB,
    cairn: { sealSeconds: sealS, downloadSeconds: downloadS, saveSeconds: saveS, downloadMBps: rate(downloadS), saveMBps: rate(saveS) },
    bareHypercore: { seconds: bareS, MBps: rate(bareS) },
    bareHypercoreProfileStorage: { seconds: bareProfileS, MBps: rate(bareProfileS) },
    rawTcp: { seconds: rawS, MBps: rate(rawS) },
    downloadVsBare: bareS / downloadS,
    downloadVsBareProfileStorage: bareProfileS / downloadS,
    rssGrowth: growth,
    rssTargetMB: RSS_TARGET_MB
  }
  const f0 = (n: number) => n.toFixed(0).padStart(5)
  const launch = describeLaunch(LAUNCH)
  console.log(`${SIZE_MB} MB file, two processes (${launch}) on a loopback testnet (profile storage write buffer ${results.writeBufferMB} MiB):`)
  console.log(`  seal + append (sender)            ${f0(rate(sealS))} MB/s`)
  console.log(`  download (replicate sealed)       ${f0(rate(downloadS))} MB/s   bare Hypercore ${f0(rate(bareS))} MB/s  -> ${results.downloadVsBare.toFixed(2)}× (target ≥ 0.80)`)
  console.log(`                                             bare Hypercore on the profile's storage options ${f0(rate(bareProfileS))} MB/s  -> ${results.downloadVsBareProfileStorage.toFixed(2)}×`)
  console.log(`  plain TCP copy (physical floor)   ${f0(rate(rawS))} MB/s   Cairn download at ${(rawS / downloadS).toFixed(2)}× of it`)
  console.log(`  decrypt + save to disk            ${f0(rate(saveS))} MB/s`)
  console.log(
    `  RSS growth while the file moved: sender ${growth.senderMB.toFixed(0)} MB, receiver ${growth.receiverMB.toFixed(0)} MB (target < ${RSS_TARGET_MB} MB)`
  )
  console.log(`    of which JavaScript heap + buffers: sender ${growth.senderJsMB.toFixed(0)} MB, receiver ${growth.receiverJsMB.toFixed(0)} MB`)
  mkdirSync('bench-results', { recursive: true })
  writeFileSync(`bench-results/files-${SIZE_MB}MB.json`, JSON.stringify(results, null, 2) + '\n')
} finally {
  await Promise.allSettled([sender.exit(), receiver.exit()])
  await testnet.destroy()
  rmSync(dir, { recursive: true, force: true })
}

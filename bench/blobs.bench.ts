// File transfer: Cairn's blob store (seal in 64 KiB XChaCha20-Poly1305 chunks + hyperblobs append;
// replicate + open + BLAKE2b check + write to disk) against bare hyperblobs moving the same bytes
// (append the plaintext; replicate and write it out), and a plain TCP copy as the physical
// reference, in the same run, each step in its own
// process over a loopback TCP replication stream. Peak RSS per process at two file sizes shows
// whether memory grows with the file (it should not).
//
//   npx tsx bench/blobs.bench.ts [--quick]      (--quick: 20 and 50 MB instead of 50 and 200 MB)
import { spawn } from 'node:child_process'
import { randomFillSync } from 'node:crypto'
import { mkdirSync, mkdtempSync, openSync, closeSync, writeSync, rmSync, writeFileSync, createReadStream } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { createHash } from 'node:crypto'

const quick = process.argv.includes('--quick')
const MB = 1024 * 1024
const SIZES = quick ? [20 * MB, 50 * MB] : [50 * MB, 200 * MB]
/** Sealing only, to show where RSS levels off. */
const PLATEAU = quick ? 0 : 400 * MB
const PEER = new URL('./blobs-peer.ts', import.meta.url).pathname

interface Line {
  seconds?: number
  maxRssMB: number
  jsPeakMB: number
  id?: string
  port?: number
}

function peer(args: string[], keepOpen = false): { first: Promise<Line>; stop(): void; done: Promise<void> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', PEER, ...args], { stdio: ['pipe', 'pipe', 'inherit'] })
  const first = new Promise<Line>((resolve, reject) => {
    createInterface({ input: proc.stdout }).once('line', (l) => resolve(JSON.parse(l) as Line))
    proc.once('exit', (code) => code !== 0 && reject(new Error(`${args.join(' ')} exited ${code}`)))
  })
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

interface Step {
  seconds: number
  mbPerSec: number
  maxRssMB: number
  jsPeakMB: number
}

const step = (size: number, l: Line): Step => ({ seconds: l.seconds!, mbPerSec: size / MB / l.seconds!, maxRssMB: l.maxRssMB, jsPeakMB: l.jsPeakMB })

async function transfer(kind: 'cairn' | 'bare', dir: string, file: string, size: number): Promise<{ put: Step; get: Step }> {
  const sender = join(dir, `${kind}-sender`)
  const receiver = join(dir, `${kind}-receiver`)
  const out = join(dir, `${kind}-out`)
  mkdirSync(out)
  const put = await peer(['put', kind, file, sender]).first
  const server = peer(['serve', sender], true)
  const { port } = await server.first
  const get = await peer(['get', kind, receiver, String(port), put.id!, out]).first
  server.stop()
  await server.done
  const saved = join(out, kind === 'cairn' ? 'bench.bin' : 'bare.bin')
  if ((await sha256(saved)) !== (await sha256(file))) throw new Error(`${kind}: the received file differs`)
  rmSync(sender, { recursive: true })
  rmSync(receiver, { recursive: true })
  rmSync(out, { recursive: true })
  return { put: step(size, put), get: step(size, get) }
}

async function rawCopy(dir: string, file: string, size: number): Promise<Step> {
  const server = peer(['raw-serve', file], true)
  const { port } = await server.first
  const out = join(dir, 'raw.bin')
  const got = await peer(['raw-get', String(port), out]).first
  server.stop()
  await server.done
  if ((await sha256(out)) !== (await sha256(file))) throw new Error('raw copy: the received file differs')
  rmSync(out)
  return step(size, got)
}

const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-blobs-'))
const results: Record<string, unknown> = { sizesMB: SIZES.map((s) => s / MB) }
try {
  const baseline = (await peer(['idle', join(dir, 'idle')]).first).maxRssMB
  results.baselineRssMB = baseline
  console.log(`baseline: a process that opens a blob store and closes it peaks at ${baseline.toFixed(0)} MB RSS`)
  for (const size of SIZES) {
    const file = join(dir, 'source.bin')
    makeFile(file, size)
    const bare = await transfer('bare', dir, file, size)
    const cairn = await transfer('cairn', dir, file, size)
    const raw = await rawCopy(dir, file, size)
    rmSync(file)
    results[`${size / MB}MB`] = { cairn, bare, raw }
    const row = (what: string, c: Step, b: Step): string =>
      `${what.padEnd(26)} cairn ${c.mbPerSec.toFixed(0).padStart(5)} MB/s  bare hyperblobs ${b.mbPerSec.toFixed(0).padStart(5)} MB/s  ` +
      `(${(c.mbPerSec / b.mbPerSec).toFixed(2)}×)   peak RSS cairn ${c.maxRssMB.toFixed(0)} MB, bare ${b.maxRssMB.toFixed(0)} MB`
    console.log(`${size / MB} MB file:`)
    console.log('  ' + row('encrypt + append', cairn.put, bare.put))
    console.log('  ' + row('replicate + decrypt + save', cairn.get, bare.get))
    console.log(`  ${'plain TCP copy (physical)'.padEnd(26)} ${raw.mbPerSec.toFixed(0).padStart(5)} MB/s   cairn receive at ${(cairn.get.mbPerSec / raw.mbPerSec).toFixed(2)}× of it`)
  }
  const runs = SIZES.map((s) => results[`${s / MB}MB`] as { cairn: { put: Step; get: Step } })
  const senders = runs.map((r) => r.cairn.put)
  if (PLATEAU) {
    const file = join(dir, 'source.bin')
    makeFile(file, PLATEAU)
    const put = step(PLATEAU, await peer(['put', 'cairn', file, join(dir, 'plateau')]).first)
    rmSync(file)
    results.plateau = { sizeMB: PLATEAU / MB, put }
    senders.push(put)
  }
  const sizes = [...SIZES, ...(PLATEAU ? [PLATEAU] : [])].map((s) => `${s / MB}`).join(' / ')
  const mbs = (steps: Step[], f: (s: Step) => number): string => steps.map((s) => f(s).toFixed(0)).join(' / ')
  console.log(`Cairn peak RSS for ${sizes} MB files: sender ${mbs(senders, (s) => s.maxRssMB)} MB, receiver ${mbs(runs.map((r) => r.cairn.get), (s) => s.maxRssMB)} MB`)
  console.log(`  of which JavaScript heap + buffers: sender ${mbs(senders, (s) => s.jsPeakMB)} MB, receiver ${mbs(runs.map((r) => r.cairn.get), (s) => s.jsPeakMB)} MB`)
  console.log(`  (RSS rises until the storage engine's 64 MiB RocksDB write buffer is full, for bare hyperblobs alike, then levels off)`)
  mkdirSync('bench-results', { recursive: true })
  writeFileSync('bench-results/blobs.json', JSON.stringify(results, null, 2) + '\n')
} finally {
  rmSync(dir, { recursive: true, force: true })
}

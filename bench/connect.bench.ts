// First connection between two freshly started processes on one loopback testnet: two CairnHosts
// adding each other at the same instant, two bare Networks doing the same, against a bare HyperDHT
// dial of a listening key (no topic, no lookup) on the same testnet. Each run uses fresh processes
// and fresh keys; the clock starts when both sides are told their counterpart, at the same moment.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { createLocalTestnet, type LocalTestnet } from '../core/net/testnet'

type Mode = 'host' | 'net' | 'dht'
const RUNS = Number(process.env.CONNECT_RUNS ?? 10)
const MODES = (process.env.CONNECT_MODES?.split(',') ?? ['dht', 'net', 'host']) as Mode[]
// A run that has not connected by then counts as this long (and is reported as timed out).
const RUN_LIMIT_MS = 60_000
const dir = import.meta.dirname

class Child {
  private readonly proc: ChildProcessWithoutNullStreams
  private readonly waiting: Array<(msg: Record<string, unknown>) => void> = []
  private readonly queued: Record<string, unknown>[] = []

  constructor(mode: Mode, testnet: LocalTestnet) {
    this.proc = spawn(process.execPath, ['--import', 'tsx', join(dir, 'connect-peer.ts'), mode, JSON.stringify(testnet.bootstrap)], {
      stdio: ['pipe', 'pipe', 'pipe']
    })
    this.proc.stderr.on('data', (d: Buffer) => process.env.CONNECT_VERBOSE && process.stderr.write(d))
    createInterface({ input: this.proc.stdout }).on('line', (line) => {
      let msg: Record<string, unknown>
      try {
        msg = JSON.parse(line) as Record<string, unknown>
      } catch {
        if (process.env.CONNECT_VERBOSE) console.error(line)
        return
      }
      const next = this.waiting.shift()
      if (next) next(msg)
      else this.queued.push(msg)
    })
  }

  next(timeoutMs: number): Promise<Record<string, unknown>> {
    const queued = this.queued.shift()
    if (queued) return Promise.resolve(queued)
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.splice(this.waiting.indexOf(done), 1)
        resolve({ timeout: true })
      }, timeoutMs)
      const done = (msg: Record<string, unknown>) => {
        clearTimeout(timer)
        resolve(msg)
      }
      this.waiting.push(done)
    })
  }

  send(cmd: unknown): void {
    this.proc.stdin.write(JSON.stringify(cmd) + '\n')
  }

  async stop(): Promise<void> {
    this.send({ exit: true })
    const exited = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()))
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), 10_000)
    await exited
    clearTimeout(timer)
  }
}

/** One run: both processes start together; returns ms until both sides saw the connection. */
async function run(mode: Mode, testnet: LocalTestnet): Promise<number> {
  const a = new Child(mode, testnet)
  const b = new Child(mode, testnet)
  try {
    const [ra, rb] = await Promise.all([a.next(60_000), b.next(60_000)])
    if (typeof ra.id !== 'string' || typeof rb.id !== 'string') throw new Error(`a side did not start: ${JSON.stringify([ra, rb])}`)
    // The bare dial is one-way: b listens, a dials.
    a.send({ peer: rb.id })
    b.send({ peer: mode === 'dht' ? '' : ra.id })
    const [ca, cb] = await Promise.all([a.next(RUN_LIMIT_MS), b.next(RUN_LIMIT_MS)])
    const times = [ca.connectedMs, cb.connectedMs]
    if (!times.every((t) => typeof t === 'number')) {
      console.error(`  ${mode}: no connection within ${RUN_LIMIT_MS / 1000} s: ${JSON.stringify([ca, cb])}`)
      return RUN_LIMIT_MS
    }
    return Math.max(...(times as number[]))
  } finally {
    await Promise.all([a.stop(), b.stop()])
  }
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]
}

async function main(): Promise<void> {
  const testnet = await createLocalTestnet(3)
  const results: Record<string, { runs: number[]; median: number; p90: number; max: number }> = {}
  try {
    for (const mode of MODES) {
      const runs: number[] = []
      for (let i = 0; i < RUNS; i++) {
        const ms = await run(mode, testnet)
        runs.push(ms)
        if (process.env.CONNECT_VERBOSE) console.log(`  ${mode} run ${i + 1}: ${ms} ms`)
      }
      const sorted = [...runs].sort((x, y) => x - y)
      results[mode] = { runs, median: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), max: sorted[sorted.length - 1] }
    }
  } finally {
    await testnet.destroy()
  }
  const floor = results.dht?.median
  console.log(`first connection, two fresh processes, ${RUNS} runs each (ms):`)
  for (const [mode, r] of Object.entries(results)) {
    const ratio = floor ? `  ×${(r.median / Math.max(floor, 1)).toFixed(1)} of the bare dial` : ''
    console.log(`  ${mode.padEnd(5)} median ${String(r.median).padStart(6)}  p90 ${String(r.p90).padStart(6)}  max ${String(r.max).padStart(6)}${ratio}`)
  }
  await mkdir(join(dir, '..', 'bench-results'), { recursive: true })
  await writeFile(join(dir, '..', 'bench-results', 'connect.json'), JSON.stringify({ runs: RUNS, limitMs: RUN_LIMIT_MS, results }, null, 2) + '\n')
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})

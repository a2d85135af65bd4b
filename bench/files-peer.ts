// One side of bench/files.bench.ts, in its own process: a Cairn node (a CairnHost on the loopback
// testnet), and for the reference a bare Hypercore served or fetched over a bare Hyperswarm on the
// same testnet. Reads one JSON command per line on stdin, answers { id, ok, result } on stdout, and
// samples its own RSS so the parent can ask for the peak since a mark.
import { createReadStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import Hypercore from 'hypercore'
import HyperDHT from 'hyperdht'
import Hyperswarm from 'hyperswarm'
import type { CairnEvent } from '../core/api/types'
import { CairnHost } from '../core/host/host'
import type { BootstrapNode } from '../core/profile/bootstrap'
import { profileStorage } from '../core/profile/storage'

/** RocksDB as hypercore-storage sets it up by default, or with the profile's options (core/profile/storage.ts). */
export type BareStorage = 'default' | 'profile'

type Command =
  | { id: number; op: 'host'; profileDir: string; bootstrap: BootstrapNode[] }
  | { id: number; op: 'call'; method: keyof CairnHost; args: unknown[] }
  | { id: number; op: 'rss-mark' }
  | { id: number; op: 'rss-peak' }
  | { id: number; op: 'bare-serve'; bootstrap: BootstrapNode[]; topic: string; file: string; storage: BareStorage }
  | { id: number; op: 'bare-fetch'; bootstrap: BootstrapNode[]; topic: string; key: string; length: number; storage: BareStorage }
  | { id: number; op: 'exit' }

const write = (value: unknown) => process.stdout.write(JSON.stringify(value) + '\n')
const BLOCK = 64 * 1024
let host: CairnHost | null = null
const swarms: Hyperswarm[] = []
const cleanup: Array<() => Promise<void>> = []

let peak = 0
// What JavaScript holds (heap + buffers), apart from the storage engine's and the allocator's share of RSS.
let jsPeak = 0
const js = () => {
  const m = process.memoryUsage()
  return m.heapUsed + m.arrayBuffers
}
const sample = () => {
  peak = Math.max(peak, process.memoryUsage.rss())
  jsPeak = Math.max(jsPeak, js())
}
setInterval(sample, 25).unref()

function localSwarm(bootstrap: BootstrapNode[]): Hyperswarm {
  const swarm = new Hyperswarm({ dht: new HyperDHT({ bootstrap, host: '127.0.0.1' }) })
  swarms.push(swarm)
  return swarm
}

async function bareCore(storage: BareStorage, key?: string): Promise<Hypercore> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-bench-bare-'))
  const at = storage === 'profile' ? profileStorage(dir) : dir
  const core = key ? new Hypercore(at, Buffer.from(key, 'hex')) : new Hypercore(at)
  await core.ready()
  cleanup.push(async () => {
    await core.close()
    await rm(dir, { recursive: true, force: true })
  })
  return core
}

/** The file's bytes appended as 64 KiB blocks (Cairn's chunk size), then served on the topic. */
async function bareServe(cmd: Extract<Command, { op: 'bare-serve' }>): Promise<{ key: string; length: number }> {
  const core = await bareCore(cmd.storage)
  let pending: Buffer[] = []
  for await (const chunk of createReadStream(cmd.file, { highWaterMark: BLOCK })) {
    pending.push(chunk as Buffer)
    if (pending.length === 64) {
      await core.append(pending)
      pending = []
    }
  }
  if (pending.length > 0) await core.append(pending)
  const swarm = localSwarm(cmd.bootstrap)
  swarm.on('connection', (conn) => {
    conn.on('error', () => undefined)
    core.replicate(conn)
  })
  await swarm.join(Buffer.from(cmd.topic, 'hex'), { server: true, client: false }).flushed()
  return { key: core.key!.toString('hex'), length: core.length }
}

/** Every block fetched and read, as Cairn's receiver does with a file's chunks; timed from the first connection. */
async function bareFetch(cmd: Extract<Command, { op: 'bare-fetch' }>): Promise<{ seconds: number }> {
  const core = await bareCore(cmd.storage, cmd.key)
  const swarm = localSwarm(cmd.bootstrap)
  const connected = new Promise<number>((resolve) =>
    swarm.once('connection', (conn) => {
      conn.on('error', () => undefined)
      core.replicate(conn)
      resolve(performance.now())
    })
  )
  swarm.join(Buffer.from(cmd.topic, 'hex'), { server: false, client: true })
  const start = await connected
  const range = core.download({ start: 0, end: cmd.length })
  for (let i = 0; i < cmd.length; i++) await core.get(i)
  range.destroy()
  return { seconds: (performance.now() - start) / 1000 }
}

async function run(cmd: Command): Promise<unknown> {
  switch (cmd.op) {
    case 'host':
      host = new CairnHost({ profileDir: cmd.profileDir, bootstrap: cmd.bootstrap, lanDiscovery: false })
      host.on('event', (e: CairnEvent) => {
        if (e.type === 'message' && e.message.file && e.message.direction === 'in') write({ offer: { contact: e.message.contact, id: e.message.id } })
      })
      return null
    case 'call':
      return (host![cmd.method] as (...a: unknown[]) => Promise<unknown>)(...cmd.args)
    case 'rss-mark':
      peak = process.memoryUsage.rss()
      jsPeak = js()
      return { rss: peak, js: jsPeak }
    case 'rss-peak':
      sample()
      return { peak, jsPeak }
    case 'bare-serve':
      return bareServe(cmd)
    case 'bare-fetch':
      return bareFetch(cmd)
    case 'exit':
      if (host) await host.close()
      for (const swarm of swarms) await swarm.destroy()
      for (const fn of cleanup) await fn()
      setImmediate(() => process.exit(0))
      return null
  }
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const cmd = JSON.parse(line) as Command
  run(cmd).then(
    (result) => write({ id: cmd.id, ok: true, result: result ?? null }),
    (err: unknown) => write({ id: cmd.id, ok: false, error: err instanceof Error ? err.message : String(err) })
  )
})
write({ ready: true })

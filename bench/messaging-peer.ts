// The far side of bench/messaging.bench.ts, in its own process: a Cairn node, a bare Hyperswarm
// echo endpoint or a bare Hypercore reader, driven over stdin/stdout JSON lines.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import Hypercore from 'hypercore'
import HyperDHT from 'hyperdht'
import Hyperswarm from 'hyperswarm'
import { CairnHost } from '../core/host/host'
import type { CairnApi, CairnEvent } from '../core/api/types'
import type { BootstrapNode } from '../core/profile/bootstrap'

type Command =
  | { id: number; op: 'host'; profileDir: string; bootstrap: BootstrapNode[] }
  | { id: number; op: 'call'; method: keyof CairnApi; args: unknown[] }
  | { id: number; op: 'echo'; bootstrap: BootstrapNode[]; topic: string }
  | { id: number; op: 'follow'; bootstrap: BootstrapNode[]; topic: string; key: string }
  | { id: number; op: 'fetch'; bootstrap: BootstrapNode[]; topic: string; key: string; length: number }
  | { id: number; op: 'rss' }
  | { id: number; op: 'exit' }

const write = (value: unknown) => process.stdout.write(JSON.stringify(value) + '\n')
let host: CairnHost | null = null
const swarms: Hyperswarm[] = []
const cleanup: Array<() => Promise<void>> = []

function localSwarm(bootstrap: BootstrapNode[]): Hyperswarm {
  const swarm = new Hyperswarm({ dht: new HyperDHT({ bootstrap, host: '127.0.0.1' }) })
  swarms.push(swarm)
  return swarm
}

/** A bare Hypercore of `key` in a temporary folder, replicated on every connection of a swarm not yet joined; both go at exit. */
async function bareReplica(name: string, bootstrap: BootstrapNode[], key: string): Promise<{ core: Hypercore; swarm: Hyperswarm }> {
  const dir = await mkdtemp(join(tmpdir(), `cairn-bench-${name}-`))
  const core = new Hypercore(dir, Buffer.from(key, 'hex'))
  await core.ready()
  cleanup.push(async () => {
    await core.close()
    await rm(dir, { recursive: true, force: true })
  })
  const swarm = localSwarm(bootstrap)
  swarm.on('connection', (conn) => {
    conn.on('error', () => undefined)
    core.replicate(conn)
  })
  return { core, swarm }
}

async function run(cmd: Command): Promise<unknown> {
  switch (cmd.op) {
    case 'host': {
      host = new CairnHost({ profileDir: cmd.profileDir, bootstrap: cmd.bootstrap, lanDiscovery: false })
      host.on('event', (e: CairnEvent) => {
        if (e.type === 'message') write({ message: e.message.text })
        else if (e.type === 'sync') write({ sync: e.progress })
      })
      return null
    }
    case 'call':
      return (host![cmd.method] as (...a: unknown[]) => Promise<unknown>)(...cmd.args)
    case 'echo': {
      // The floor of the latency benchmark: the same bytes over a bare Hyperswarm connection, seen here.
      const swarm = localSwarm(cmd.bootstrap)
      swarm.on('connection', (conn) => {
        conn.on('error', () => undefined)
        conn.on('data', (data: Buffer) => write({ echo: data.readUInt32BE(0) }))
      })
      await swarm.join(Buffer.from(cmd.topic, 'hex'), { server: true, client: false }).flushed()
      return null
    }
    case 'follow': {
      // The replication floor of the latency benchmark: each new block of a bare Hypercore, fetched
      // live as the log reader does (download range, woken by 'append', blocks read in order).
      const { core, swarm } = await bareReplica('follow', cmd.bootstrap, cmd.key)
      swarm.join(Buffer.from(cmd.topic, 'hex'), { server: false, client: true })
      core.download({ start: 0, end: -1 })
      let next = 0
      let pumping = false
      const pump = async () => {
        if (pumping) return
        pumping = true
        while (next < core.length) {
          await core.get(next)
          write({ block: next++ })
        }
        pumping = false
      }
      core.on('append', () => void pump())
      return null
    }
    case 'fetch': {
      // Timed from the join (like the Cairn side, which includes finding the peer) and from the connection.
      // The floor of the catch-up benchmark: replicate the same number of blocks of a bare Hypercore.
      const { core, swarm } = await bareReplica('fetch', cmd.bootstrap, cmd.key)
      const started = performance.now()
      const connected = new Promise<number>((r) => swarm.once('connection', () => r(performance.now())))
      swarm.join(Buffer.from(cmd.topic, 'hex'), { server: false, client: true })
      // The same access pattern as the messenger's log reader: a live download, blocks read in order.
      const download = core.download({ start: 0, end: -1 })
      while (core.length < cmd.length) await new Promise((r) => core.once('append', r))
      for (let i = 0; i < cmd.length; i++) await core.get(i)
      download.destroy()
      const done = performance.now()
      return { totalMs: done - started, afterConnectMs: done - (await connected) }
    }
    case 'rss':
      global.gc?.()
      return process.memoryUsage()
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

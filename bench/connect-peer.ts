// One side of bench/connect.bench.ts, in its own process: a fresh CairnHost, a bare Network or a bare
// HyperDHT node on the parent's loopback testnet, told its counterpart's key over stdin and reporting
// (stdout JSON lines) how long after that its first connection to the counterpart took.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import HyperDHT from 'hyperdht'
import { CairnHost } from '../core/host/host'
import type { CairnEvent } from '../core/api/types'
import { Network } from '../core/net'

type Mode = 'host' | 'net' | 'dht'
interface Side {
  /** This node's key (z32 for a host, hex otherwise). */
  id: string
  /** Starts reaching the counterpart; resolves once connected. */
  reach(peer: string): Promise<void>
  close(): Promise<void>
}

const write = (value: unknown) => process.stdout.write(JSON.stringify(value) + '\n')
const [mode, bootstrapJson] = process.argv.slice(2) as [Mode, string]
const bootstrap = JSON.parse(bootstrapJson) as { host: string; port: number }[]

async function hostSide(): Promise<Side> {
  const profileDir = await mkdtemp(join(tmpdir(), 'cairn-connect-'))
  const host = new CairnHost({ profileDir, bootstrap, lanDiscovery: false })
  const profile = await host.create('bench', 'correct horse battery staple')
  return {
    id: profile.id,
    reach: (peer) =>
      new Promise<void>((resolve, reject) => {
        host.on('event', (e: CairnEvent) => {
          if (e.type === 'contact' && e.contact.id === peer && e.contact.presence !== 'offline') resolve()
        })
        host.addContact(peer, 'peer').catch(reject)
      }),
    close: async () => {
      await host.close()
      await rm(profileDir, { recursive: true, force: true })
    }
  }
}

async function netSide(): Promise<Side> {
  const keyPair = HyperDHT.keyPair()
  let contact: Buffer | null = null
  const net = new Network({
    keyPair,
    bootstrap,
    classify: (remote) => (contact !== null && remote.equals(contact) ? 'contact' : 'unknown'),
    log: () => {}
  })
  await net.ready()
  return {
    id: keyPair.publicKey.toString('hex'),
    reach: (peer) =>
      new Promise<void>((resolve) => {
        contact = Buffer.from(peer, 'hex')
        net.once('peer', () => resolve())
        net.addContact(contact)
      }),
    close: () => net.close()
  }
}

// The floor: one side listens, the other dials its key directly (no topic, no lookup).
async function dhtSide(): Promise<Side> {
  const keyPair = HyperDHT.keyPair()
  const dht = new HyperDHT({ bootstrap, host: '127.0.0.1' })
  const server = dht.createServer({}, (socket) => socket.on('error', () => {}))
  await server.listen(keyPair)
  return {
    id: keyPair.publicKey.toString('hex'),
    reach: (peer) =>
      new Promise<void>((resolve, reject) => {
        if (peer === '') return server.once('connection', () => resolve())
        const socket = dht.connect(Buffer.from(peer, 'hex'), { keyPair })
        socket.once('open', () => resolve())
        socket.once('error', reject)
      }),
    close: async () => {
      await server.close()
      await dht.destroy()
    }
  }
}

async function main(): Promise<void> {
  const started = Date.now()
  const side = await (mode === 'host' ? hostSide() : mode === 'net' ? netSide() : dhtSide())
  write({ id: side.id, readyMs: Date.now() - started })
  const lines = createInterface({ input: process.stdin })
  for await (const line of lines) {
    const cmd = JSON.parse(line) as { peer?: string; exit?: true }
    if (cmd.peer !== undefined) {
      const go = Date.now()
      side.reach(cmd.peer).then(
        () => write({ connectedMs: Date.now() - go }),
        (err: unknown) => write({ error: err instanceof Error ? err.message : String(err) })
      )
    } else if (cmd.exit) {
      await side.close()
      write({ closed: true })
      break
    }
  }
  lines.close()
}

main().catch((err: unknown) => {
  write({ error: err instanceof Error ? err.message : String(err) })
  process.exit(1)
})

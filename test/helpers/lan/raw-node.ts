// A node in a namespace for the discovery tests: LAN discovery + LAN DHT + a bare Hyperswarm on one
// topic, admitting only the keys it is told to. Commands and reports are JSON lines (see netns.ts).
import Hyperswarm from 'hyperswarm'
import HyperDHT from 'hyperdht'
import b4a from 'b4a'
import { createInterface } from 'node:readline'
import { startLan } from '../../../core/lan'

const report = (r: Record<string, unknown>) => process.stdout.write(JSON.stringify(r) + '\n')

const keyPair = HyperDHT.keyPair(Buffer.from(process.env.CAIRN_SEED!, 'hex'))
const allowed = new Set((process.env.CAIRN_ALLOW ?? '').split(',').filter(Boolean))
const started = performance.now()
const echo = process.env.CAIRN_ECHO === '1'
const pongs = new Map<string, () => void>()

const lan = await startLan({ announceIntervalMs: Number(process.env.CAIRN_INTERVAL ?? 1000) })
report({
  type: 'ready',
  address: lan.address,
  port: lan.dht.port,
  bootstrap: lan.dht.bootstrapNodes.length,
  publicKey: b4a.toString(keyPair.publicKey, 'hex')
})
const reportPeers = (count: number) => report({ type: 'peers', count, ms: performance.now() - started })
// A node that starts second may already know the first when startLan resolves, before anyone listened.
if (lan.nodes > 0) reportPeers(lan.nodes)
lan.on('peers', reportPeers)

const swarm = new Hyperswarm({
  dht: lan.dht,
  keyPair,
  firewall: (remote: Buffer) => !allowed.has(b4a.toString(remote, 'hex'))
})
swarm.on('connection', (conn, info) => {
  const remote = b4a.toString(info.publicKey, 'hex')
  report({ type: 'connection', remote, ms: performance.now() - started })
  conn.on('error', () => {})
  conn.on('close', () => report({ type: 'disconnected', remote }))
  let pending = ''
  conn.on('data', (chunk: Buffer) => {
    const lines = (pending + b4a.toString(chunk)).split('\n')
    pending = lines.pop()!
    for (const text of lines) {
      if (echo && text.startsWith('ping ')) conn.write(`pong ${text.slice(5)}\n`)
      else if (text.startsWith('pong ')) pongs.get(text.slice(5))?.()
      else report({ type: 'data', remote, text })
    }
  })
})
if (process.env.CAIRN_TOPIC) swarm.join(Buffer.from(process.env.CAIRN_TOPIC, 'hex'))

createInterface({ input: process.stdin }).on('line', async (line) => {
  const command = JSON.parse(line) as { cmd: string; text?: string; publicKey?: string; count?: number }
  if (command.cmd === 'send') {
    for (const conn of swarm.connections) conn.write(command.text + '\n')
    report({ type: 'sent', text: command.text })
  } else if (command.cmd === 'ping') {
    report({ type: 'rtts', ms: await pingPong(command.count ?? 100) })
  } else if (command.cmd === 'dial') {
    const socket = lan.dht.connect(Buffer.from(command.publicKey!, 'hex'), { keyPair })
    socket.on('open', () => {
      report({ type: 'dial', ok: true })
      socket.destroy()
    })
    socket.on('error', (err: Error) => report({ type: 'dial', ok: false, reason: err.message }))
  } else if (command.cmd === 'stop') {
    await swarm.destroy()
    await lan.close()
    report({ type: 'stopped' })
    process.exit(0)
  }
})

/** Round trips of one small line to the first connected peer (which echoes), one at a time. */
async function pingPong(count: number): Promise<number[]> {
  const [conn] = swarm.connections
  const rtts: number[] = []
  for (let i = 0; i < count && conn; i++) {
    const sent = performance.now()
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no pong ${i}`)), 5000)
      pongs.set(String(i), () => {
        clearTimeout(timer)
        pongs.delete(String(i))
        resolve()
      })
      conn.write(`ping ${i}\n`)
    })
    rtts.push(performance.now() - sent)
  }
  return rtts
}

// The node of bench/scale.bench.ts, in its own process so its memory and CPU are its own: a bare
// Network on the parent's loopback testnet, under the key pair of seed argv[4], with every key listed in
// the file argv[3] as a contact.
// Reports JSON lines: its key and DHT ports ('ready'), each contact connected ('peer', wall-clock ms),
// and on 'stats' its RSS, CPU time and open connections; 'typing' sends a frame to one contact.
import { readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import HyperDHT from 'hyperdht'
import { Network, type Peer } from '../core/net'

const write = (value: unknown) => process.stdout.write(JSON.stringify(value) + '\n')
const now = () => performance.timeOrigin + performance.now()
const bootstrap = JSON.parse(process.argv[2]) as { host: string; port: number }[]
const contacts = new Set((JSON.parse(readFileSync(process.argv[3], 'utf8')) as string[]).map((hex) => hex.toLowerCase()))
const keyPair = HyperDHT.keyPair(Buffer.from(process.argv[4], 'hex'))
const network = new Network({
  keyPair,
  bootstrap,
  classify: (remote) => (contacts.has(remote.toString('hex')) ? 'contact' : 'unknown'),
  log: () => {}
})
const peers = new Map<string, Peer>()
network.on('peer', (peer: Peer) => {
  const remote = peer.remoteKey.toString('hex')
  peers.set(remote, peer)
  write({ type: 'peer', remote, at: now() })
})
await network.ready()
const [dht] = network.dhts()
const io = (dht as unknown as { io: { clientSocket: { address(): { port: number } }; serverSocket: { address(): { port: number } } } }).io
write({ type: 'ready', at: now(), publicKey: keyPair.publicKey.toString('hex'), ports: [io.clientSocket.address().port, io.serverSocket.address().port] })
const started = now()
for (const contact of contacts) network.addContact(Buffer.from(contact, 'hex'))
write({ type: 'added', ms: now() - started })

createInterface({ input: process.stdin }).on('line', async (line) => {
  const command = JSON.parse(line) as { cmd: string; to?: string }
  if (command.cmd === 'stats') {
    const { user, system } = process.cpuUsage()
    write({ type: 'stats', rss: process.memoryUsage().rss, cpuMs: (user + system) / 1000, connections: network.status().peers })
  } else if (command.cmd === 'typing') {
    const at = now()
    write({ type: 'typed', ok: peers.get(command.to!)?.send({ type: 'typing', typing: true }) ?? false, at })
  } else if (command.cmd === 'stop') {
    await network.close()
    process.exit(0)
  }
})

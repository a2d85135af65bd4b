// A node in a namespace for the network tests: Cairn's Network (firewall, pair topics, control
// channel) with no bootstrap (or CAIRN_BOOTSTRAP's), plus the LAN swarm joinLan adds (unless CAIRN_LAN=0). Contacts come from the
// environment; commands and reports are JSON lines (see netns.ts).
import HyperDHT from 'hyperdht'
import { createInterface } from 'node:readline'
import { Network, type Peer } from '../../../core/net'
import { joinLan } from '../../../core/lan'
import { parseBootstrap } from '../../../core/profile/bootstrap'

const report = (r: Record<string, unknown>) => process.stdout.write(JSON.stringify(r) + '\n')
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

const keyPair = HyperDHT.keyPair(Buffer.from(process.env.CAIRN_SEED!, 'hex'))
const contacts = new Set((process.env.CAIRN_CONTACTS ?? '').split(',').filter(Boolean))
const started = performance.now()
const peers = new Map<string, Peer>()

const network = new Network({
  keyPair,
  bootstrap: parseBootstrap(process.env.CAIRN_BOOTSTRAP) ?? [],
  classify: (remote) => (contacts.has(hex(remote)) ? 'contact' : 'unknown'),
  retry: { initialMs: 500, maxMs: 4000 },
  log: (message) => report({ type: 'log', message })
})
const lan = process.env.CAIRN_LAN === '0' ? null : await joinLan(network, { announceIntervalMs: 1000 })
await network.ready()
network.on('peer', (peer: Peer) => {
  const remote = hex(peer.remoteKey)
  peers.set(remote, peer)
  report({ type: 'peer', remote, lan: peer.lan, ms: performance.now() - started })
  peer.on('frame', (frame) => report({ type: 'frame', remote, frame }))
  peer.on('close', () => report({ type: 'peer-closed', remote }))
})
network.on('request', (remote: Buffer) => report({ type: 'request', remote: hex(remote) }))
for (const contact of contacts) network.addContact(Buffer.from(contact, 'hex'))
report({ type: 'ready', address: lan?.address, bootstrap: lan?.dht.bootstrapNodes.length, publicKey: hex(keyPair.publicKey) })

createInterface({ input: process.stdin }).on('line', async (line) => {
  const command = JSON.parse(line) as { cmd: string; to?: string; typing?: boolean }
  if (command.cmd === 'typing') {
    report({ type: 'sent', ok: peers.get(command.to!)?.send({ type: 'typing', typing: command.typing! }) ?? false })
  } else if (command.cmd === 'status') {
    report({ type: 'status', ...network.status() })
  } else if (command.cmd === 'stop') {
    await network.close()
    await lan?.close()
    process.exit(0)
  }
})

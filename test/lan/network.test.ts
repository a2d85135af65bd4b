// Cairn's Network on the LAN DHT across real network namespaces, with no bootstrap at all: contacts
// find each other through discovery alone and exchange control frames; a non-contact never becomes
// a peer; nothing leaves the LAN.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import HyperDHT from 'hyperdht'
import { Lab, labUnavailable, removeLeftovers, type NodeProcess, type Report } from '../helpers/lan/netns'

const unavailable = labUnavailable()
if (unavailable) console.warn(`LAN namespace tests skipped: ${unavailable}`)

const NET_NODE = fileURLToPath(new URL('../helpers/lan/net-node.ts', import.meta.url))
const INTERNET = fileURLToPath(new URL('../helpers/lan/internet-node.ts', import.meta.url))
const BOUND = 10_000

function identity() {
  const seed = randomBytes(32)
  return { seed: seed.toString('hex'), publicKey: HyperDHT.keyPair(seed).publicKey.toString('hex') }
}

const peerOf = (remote: string) => (r: Report) => r.type === 'peer' && r.remote === remote

describe.skipIf(unavailable !== null)(`Network over the LAN DHT across network namespaces${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let lab: Lab
  const procs: NodeProcess[] = []
  const [a, b, x, d] = [identity(), identity(), identity(), identity()]

  beforeAll(() => {
    removeLeftovers()
    lab = Lab.create(['a', 'b', 'x', 'd', 'i'], 'net')
  })

  function start(host: string, who: { seed: string }, contacts: string[], env: Record<string, string> = {}): NodeProcess {
    const proc = lab.spawn(host, NET_NODE, { CAIRN_SEED: who.seed, CAIRN_CONTACTS: contacts.join(','), ...env })
    procs.push(proc)
    return proc
  }

  afterAll(async () => {
    await Promise.allSettled(procs.map((p) => p.stop()))
    lab?.destroy()
  })

  it('two contacts connect over the LAN and exchange frames; a stranger never becomes a peer', async () => {
    const nodeA = start('a', a, [b.publicKey])
    const nodeB = start('b', b, [a.publicKey])
    const nodeX = start('x', x, [a.publicKey, b.publicKey])
    for (const node of [nodeA, nodeB, nodeX]) {
      expect((await node.wait((r) => r.type === 'ready', 30_000, 'ready')).bootstrap).toBe(0)
    }

    const atA = await nodeA.wait(peerOf(b.publicKey), BOUND, 'b as a peer')
    await nodeB.wait(peerOf(a.publicKey), BOUND, 'a as a peer')
    expect(atA.lan).toBe(true)
    nodeA.send({ cmd: 'typing', to: b.publicKey, typing: true })
    const frame = await nodeB.wait((r) => r.type === 'frame' && r.remote === a.publicKey, BOUND, 'a typing frame')
    expect(frame.frame).toEqual({ type: 'typing', typing: true })

    nodeA.send({ cmd: 'stop' })
    nodeB.send({ cmd: 'stop' })
    await Promise.all([nodeA.stop(), nodeB.stop()])
    expect(nodeX.reports.some((r) => r.type === 'peer')).toBe(false)
    expect(nodeA.reports.some(peerOf(x.publicKey))).toBe(false)
    expect(nodeB.reports.some(peerOf(x.publicKey))).toBe(false)
    for (const name of ['a', 'b', 'x']) expect(lab.strayPackets(name)).toBe(0)
  })

  it('with an internet DHT reachable, both swarms work at once and a pair on the LAN connects over the LAN', async () => {
    const internet = lab.spawn('i', INTERNET)
    procs.push(internet)
    const bootstrap = String((await internet.wait((r) => r.type === 'ready', 30_000, 'the internet DHT')).bootstrap)
    const nodeA = start('a', a, [b.publicKey, d.publicKey], { CAIRN_BOOTSTRAP: bootstrap })
    const nodeB = start('b', b, [a.publicKey], { CAIRN_BOOTSTRAP: bootstrap })
    const nodeD = start('d', d, [a.publicKey], { CAIRN_BOOTSTRAP: bootstrap, CAIRN_LAN: '0' })
    const lanPeer = (remote: string) => (r: Report) => peerOf(remote)(r) && r.lan === true
    await nodeA.wait(lanPeer(b.publicKey), 30_000, 'b over the LAN')
    await nodeB.wait(lanPeer(a.publicKey), 30_000, 'a over the LAN')
    const viaInternet = await nodeA.wait(peerOf(d.publicKey), BOUND, 'd over the internet DHT')
    expect(viaInternet.lan).toBe(false)
    await nodeD.wait(peerOf(a.publicKey), BOUND, 'a over the internet DHT')
    nodeA.send({ cmd: 'status' })
    expect((await nodeA.wait((r) => r.type === 'status', BOUND, 'status')).mode).toBe('internet')
    await Promise.all([nodeA.stop(), nodeB.stop(), nodeD.stop()])
  }, 150_000)
})

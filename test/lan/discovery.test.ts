// Discovery, the LAN DHT and a bare Hyperswarm across real network namespaces: nodes with an empty
// bootstrap find each other over multicast DNS and connect; late and re-plugged nodes are found;
// a stranger on the link learns nothing but that Cairn nodes exist; nothing leaves the LAN.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import HyperDHT from 'hyperdht'
import z32 from 'z32'
import { Lab, labUnavailable, removeLeftovers, type NodeProcess, type Report } from '../helpers/lan/netns'

const unavailable = labUnavailable()
if (unavailable) console.warn(`LAN namespace tests skipped: ${unavailable}`)

const RAW_NODE = fileURLToPath(new URL('../helpers/lan/raw-node.ts', import.meta.url))
const LISTENER = fileURLToPath(new URL('../helpers/lan/listener.ts', import.meta.url))
const HOSTILE = fileURLToPath(new URL('../helpers/lan/hostile-advertiser.ts', import.meta.url))
const BOUND = 10_000
const MAX_NODES = 256

interface Member {
  seed: string
  publicKey: string
}

function member(): Member {
  const seed = randomBytes(32)
  return { seed: seed.toString('hex'), publicKey: HyperDHT.keyPair(seed).publicKey.toString('hex') }
}

const connectedTo = (remote: string) => (r: Report) => r.type === 'connection' && r.remote === remote

describe.skipIf(unavailable !== null)(`LAN discovery across network namespaces${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let lab: Lab
  const procs: NodeProcess[] = []
  const topic = randomBytes(32).toString('hex')
  const [a, b, c, stranger] = [member(), member(), member(), member()]
  const allow = [a, b, c].map((m) => m.publicKey).join(',')
  const nodes: Record<string, NodeProcess> = {}

  function start(host: string, who: Member, env: Record<string, string> = {}): NodeProcess {
    const proc = lab.spawn(host, RAW_NODE, { CAIRN_SEED: who.seed, CAIRN_ALLOW: allow, CAIRN_INTERVAL: '1000', ...env })
    procs.push(proc)
    nodes[host] = proc
    return proc
  }

  beforeAll(() => {
    removeLeftovers()
    lab = Lab.create(['a', 'b', 'c', 'x'], 'disc')
  })

  afterAll(async () => {
    await Promise.allSettled(procs.map((p) => p.stop()))
    lab?.destroy()
  })

  it('two nodes with an empty bootstrap find each other and connect on a topic', async () => {
    start('a', a, { CAIRN_TOPIC: topic })
    start('b', b, { CAIRN_TOPIC: topic })
    for (const name of ['a', 'b']) {
      const ready = await nodes[name].wait((r) => r.type === 'ready', 30_000, 'ready')
      expect(ready.bootstrap).toBe(0)
      expect(ready.address).toBe(lab.host(name).address)
    }
    await nodes.a.wait(connectedTo(b.publicKey), BOUND, 'connection to b')
    await nodes.b.wait(connectedTo(a.publicKey), BOUND, 'connection to a')
    nodes.a.send({ cmd: 'send', text: 'hello over the LAN' })
    await nodes.b.wait((r) => r.type === 'data' && r.text === 'hello over the LAN', BOUND, 'the line from a')
  })

  it('a node that starts later finds both and connects', async () => {
    start('c', c, { CAIRN_TOPIC: topic })
    await nodes.c.wait(connectedTo(a.publicKey), BOUND, 'connection to a')
    await nodes.c.wait(connectedTo(b.publicKey), BOUND, 'connection to b')
    await nodes.a.wait(connectedTo(c.publicKey), BOUND, 'connection to c')
  })

  it('an unplugged node is forgotten, and found again once plugged back in', async () => {
    const peersOfA = (count: number) => (r: Report) => r.type === 'peers' && r.count === count
    const seen = nodes.a.reports.length
    lab.unplug('b')
    await nodes.a.wait((r) => nodes.a.reports.indexOf(r) >= seen && peersOfA(1)(r), 20_000, 'b forgotten')
    lab.plug('b')
    await nodes.a.wait((r) => nodes.a.reports.indexOf(r) >= seen && peersOfA(2)(r), 20_000, 'b found again')
    nodes.a.send({ cmd: 'send', text: 'welcome back' })
    await nodes.b.wait((r) => r.type === 'data' && r.text === 'welcome back', 30_000, 'the line after replugging')
  })

  it('a stranger on the link learns only that Cairn nodes exist, and cannot connect', async () => {
    const listener = lab.spawn('x', LISTENER)
    procs.push(listener)
    await listener.wait((r) => r.type === 'ready', 30_000, 'listener ready')
    for (const name of ['a', 'b', 'c']) {
      const from = lab.host(name).address
      await listener.wait((r) => r.type === 'datagram' && r.from === from, BOUND, `an advertisement from ${name}`)
    }
    await listener.stop()
    const captured = listener.reports.filter((r) => r.type === 'datagram').map((r) => Buffer.from(String(r.hex), 'hex'))
    expect(captured.some((d) => d.includes('_cairn'))).toBe(true)
    const secrets = [topic, ...[a, b, c].flatMap((m) => [m.publicKey, m.seed])]
    for (const datagram of captured) {
      const text = datagram.toString('latin1')
      for (const hex of secrets) {
        const bytes = Buffer.from(hex, 'hex')
        expect(datagram.includes(bytes)).toBe(false)
        expect(text.toLowerCase()).not.toContain(hex)
        expect(text).not.toContain(z32.encode(bytes))
        expect(datagram.includes(bytes.subarray(0, 8))).toBe(false)
      }
    }

    const intruder = lab.spawn('x', RAW_NODE, { CAIRN_SEED: stranger.seed, CAIRN_ALLOW: '', CAIRN_INTERVAL: '1000' })
    procs.push(intruder)
    await intruder.wait((r) => r.type === 'peers' && r.count === 3, BOUND, 'all three nodes discovered')
    intruder.send({ cmd: 'dial', publicKey: a.publicKey })
    const dial = await intruder.wait((r) => r.type === 'dial', 30_000, 'the dial result')
    expect(dial.ok).toBe(false)
    for (const name of ['a', 'b', 'c']) expect(nodes[name].reports.some(connectedTo(stranger.publicKey))).toBe(false)
  })

  it('garbage and a flood of fake advertisements neither crash a node nor grow it without bound', async () => {
    const hostile = lab.spawn('x', HOSTILE, { CAIRN_FAKES: '1000' })
    procs.push(hostile)
    await hostile.wait((r) => r.type === 'done', 60_000, 'the flood to end')
    await nodes.a.wait((r) => r.type === 'peers' && r.count === MAX_NODES, 30_000, 'the cap on known nodes')
    nodes.a.send({ cmd: 'send', text: 'still here' })
    await nodes.b.wait((r) => r.type === 'data' && r.text === 'still here', BOUND, 'a line after the flood')
    await nodes.c.wait((r) => r.type === 'data' && r.text === 'still here', BOUND, 'a line after the flood')
    const counts = nodes.a.reports.filter((r) => r.type === 'peers').map((r) => Number(r.count))
    expect(Math.max(...counts)).toBe(MAX_NODES)
  })

  it('sent nothing anywhere but the LAN', () => {
    for (const name of ['a', 'b', 'c', 'x']) expect(lab.strayPackets(name)).toBe(0)
  })
})

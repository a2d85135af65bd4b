// The delay relay that stands in for netem between two namespace hosts (test/helpers/lan/
// delay-relay.ts): datagrams cross it both ways, each host sees the other's own address and port
// as the source (so a peer learned from mDNS or the DHT still matches), a flow started from either
// side works, order is kept, and every datagram is held at least the path's least delay.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { delayBetweenHosts, type DelayedPath } from '../helpers/lan/delayed-path'
import { Lab, labUnavailable, removeLeftovers, type NodeProcess, type Report } from '../helpers/lan/netns'

const unavailable = labUnavailable()
const PEER = new URL('../helpers/lan/udp-peer.ts', import.meta.url).pathname
const COUNT = 100

let lab: Lab | null = null
let path: DelayedPath | null = null
const peers: NodeProcess[] = []

beforeAll(async () => {
  if (unavailable !== null) return
  removeLeftovers()
  lab = Lab.create(['a', 'b'], 'relay', { defaultRoute: false })
  path = await delayBetweenHosts(lab, 40, 20)
  for (const host of ['a', 'b']) {
    const peer = lab.spawn(host, PEER, { PEER_PORTS: '7000,7001' })
    peers.push(peer)
    await peer.wait((r) => r.type === 'ready', 30_000, 'the peer ready')
  }
}, 90_000)

afterAll(async () => {
  await Promise.allSettled(peers.map((p) => p.stop(5_000)))
  await path?.stop()
  lab?.destroy()
})

const got = (peer: NodeProcess, type: string, on: number): Report[] => peer.reports.filter((r) => r.type === type && r.on === on)

it.skipIf(unavailable !== null)(`carries flows started from either side, transparently and in order, after the delay${unavailable ? ` (skipped: ${unavailable})` : ''}`, async () => {
  const [a, b] = peers
  const { address: addrA } = lab!.host('a')
  const { address: addrB } = lab!.host('b')
  // a → b on one pair of ports, b → a on another: each side starts one flow
  a.send({ cmd: 'send', from: 7000, host: addrB, port: 7000, count: COUNT, gapMs: 2 })
  b.send({ cmd: 'send', from: 7001, host: addrA, port: 7001, count: COUNT, gapMs: 2 })
  await expect.poll(() => got(a, 'echo', 7000).length + got(b, 'echo', 7001).length, { timeout: 30_000 }).toBe(2 * COUNT)
  for (const [peer, port, remote] of [[b, 7000, `${addrA}:7000`], [a, 7001, `${addrB}:7001`]] as const) {
    const pings = got(peer, 'ping', port)
    expect(pings.map((r) => r.from)).toEqual(Array(COUNT).fill(remote))
    expect(pings.map((r) => r.n)).toEqual([...Array(COUNT).keys()])
  }
  expect(got(a, 'echo', 7000).map((r) => r.from)).toEqual(Array(COUNT).fill(`${addrB}:7000`))
  expect(got(b, 'echo', 7001).map((r) => r.from)).toEqual(Array(COUNT).fill(`${addrA}:7001`))
  const stats = await path!.stats()
  console.log(`delay relay, 40 ± 20 ms asked: ${JSON.stringify(stats)}`)
  expect(stats.datagrams).toBe(4 * COUNT)
  expect((stats.heldMs as { p5: number }).p5).toBeGreaterThanOrEqual(20)
}, 90_000)

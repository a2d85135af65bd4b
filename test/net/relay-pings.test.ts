// core/net/relay-pings.ts reaches into HyperDHT's private announcer (its ping loop's sleeper). This
// pins that assumption on a loopback testnet whose nodes count what one server sends them: a quiet
// server pings its relays once per re-announce instead of every 3 s, and pings again once loud.
// Against a HyperDHT whose loop no longer waits on that sleeper, the quiet phase never reaches its
// third announce round within the test's time, and the test fails.
import { afterEach, describe, expect, it } from 'vitest'
import createTestnet, { type Testnet } from 'hyperdht/testnet.js'
import HyperDHT from 'hyperdht'
import { relayPings } from '../../core/net/relay-pings'
import { until } from '../helpers/net'

// dht-rpc's internal command 0 is a ping; HyperDHT's command 4 an announce.
const PING = 'rpc 0'
const ANNOUNCE = 'dht 4'

interface Socket {
  address(): { port: number }
}

interface Served {
  from: { port: number }
  internal: boolean
  command: number
}

describe("a pair server's relay pings", () => {
  let testnet: Testnet | null = null
  afterEach(async () => {
    await testnet?.destroy()
    testnet = null
  })

  it('stop while quiet (one round per re-announce) and start again at once when loud', async () => {
    testnet = await createTestnet(6, { host: '127.0.0.1' })
    const dht = testnet.createNode()
    await dht.ready()
    const { io } = dht as unknown as { io: { clientSocket: Socket; serverSocket: Socket } }
    const ports = [io.clientSocket.address().port, io.serverSocket.address().port]
    const sent: string[] = []
    for (const node of testnet.nodes) {
      const { io } = node as unknown as { io: { onrequest(req: Served, external: boolean): void } }
      const original = io.onrequest.bind(io)
      io.onrequest = (req, external) => {
        if (ports.includes(req.from.port)) sent.push(`${req.internal ? 'rpc' : 'dht'} ${req.command}`)
        original(req, external)
      }
    }
    const count = (what: string, from = 0) => sent.slice(from).filter((s) => s === what).length
    const server = dht.createServer()
    const pings = relayPings(server, dht, { reannounceMs: 300 })
    await server.listen(HyperDHT.keyPair())
    // listen() resolves after the first announce round: r relays, each announced to and then pinged per round.
    const r = count(ANNOUNCE)
    expect(r).toBeGreaterThan(0)
    await until(() => count(PING) >= r, 'the first round of relay pings')

    // Quiet: a round of pings, a 300 ms wait, a re-announce, and again (loud, announces are ~5 min apart).
    pings.quiet(true)
    const quietFrom = sent.length
    await until(() => count(ANNOUNCE, quietFrom) >= 3 * r, 'three re-announce rounds while quiet', 20_000)
    expect(count(PING, quietFrom)).toBeLessThanOrEqual(count(ANNOUNCE, quietFrom) + r)

    // Loud again: pings every 3 s, the first at once, and no more announces beyond one in flight.
    pings.quiet(false)
    const loudFrom = sent.length
    await until(() => count(PING, loudFrom) >= 3 * r, 'three rounds of pings once loud', 20_000)
    expect(count(ANNOUNCE, loudFrom)).toBeLessThanOrEqual(r)
    await server.close()
    await dht.destroy()
  }, 60_000)
})

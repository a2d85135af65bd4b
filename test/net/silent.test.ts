// A remote that completes the Noise handshake through the DHT and then never sends a byte on the
// connection (as when it gives up a holepunch after one probe): the dialler drops that connection
// after 4 s instead of waiting for UDX's idle timeout (~14 s or more).
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import Hyperswarm from 'hyperswarm'
import HyperDHT from 'hyperdht'
import { dayOf, pairDays } from '../../core/net'
import { Harness, keyPair, until } from '../helpers/net'

/** A DHT node whose servers answer handshakes but never connect the stream they promise. */
function mute(dht: HyperDHT): void {
  type Callback = (err: Error | null) => void
  const node = dht as unknown as {
    createRawStream(opts: unknown): { connect(...args: unknown[]): void; _writev(data: unknown, cb: Callback): void; _final(cb: Callback): void }
  }
  const create = node.createRawStream.bind(dht)
  node.createRawStream = (opts) => {
    const stream = create(opts)
    stream.connect = () => {}
    // Never connected, it swallows what the server writes (its secret-stream header) instead of failing.
    stream._writev = (_data, cb) => cb(null)
    stream._final = (cb) => cb(null)
    return stream
  }
}

describe('a silent remote', () => {
  const h = new Harness()
  beforeEach(() => h.start())
  afterEach(() => h.stop())

  it('a connection that never carries a byte from the remote is dropped after about 4 s', async () => {
    const a = await h.node()
    const silent = keyPair()
    a.setClass(silent.publicKey, 'contact')
    // Not one of the testnet's nodes: its muted server cannot close cleanly, so the testnet's teardown would wait on it.
    const dht = new HyperDHT({ bootstrap: h.bootstrap, host: '127.0.0.1', ephemeral: true })
    mute(dht)
    const [today] = pairDays(silent, a.keyPair.publicKey, [dayOf(Date.now())])
    const swarm = new Hyperswarm({ keyPair: today.mine.keyPair, dht })
    swarm.on('connection', (stream) => stream.on('error', () => {}))
    const links: { at: number; peers: number }[] = []
    a.net.on('status', ({ peers }: { peers: number }) => links.push({ at: Date.now(), peers }))
    let peers = 0
    a.net.on('peer', () => peers++)
    try {
      swarm.join(today.mine.topic, { server: true, client: false })
      await swarm.flush()
      a.net.addContact(silent.publicKey)
      await until(() => links.some((s) => s.peers === 1), 'a connection to the silent remote')
      const opened = links.find((s) => s.peers === 1)!.at
      await until(() => links.some((s) => s.at > opened && s.peers === 0), 'the silent connection dropped', 12_000)
      const dropped = links.find((s) => s.at > opened && s.peers === 0)!.at
      console.log(`silent connection dropped after ${dropped - opened} ms (UDX idle timeout: ~14 s)`)
      expect(dropped - opened).toBeGreaterThanOrEqual(3_500)
      expect(peers).toBe(0)
    } finally {
      dht.destroy({ force: true }).catch(() => {})
    }
  }, 40_000)
})

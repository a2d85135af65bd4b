import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ControlFrame, Peer } from '../../core/net'
import { Harness, befriend, connectPair, nextPeer, until } from '../helpers/net'

function collect(peer: Peer): ControlFrame[] {
  const frames: ControlFrame[] = []
  peer.on('frame', (frame: ControlFrame) => frames.push(frame))
  return frames
}

describe('contacts', () => {
  const h = new Harness()
  beforeEach(() => h.start())
  afterEach(() => h.stop())

  it('two contacts connect and exchange control frames', async () => {
    const a = await h.node()
    const b = await h.node()
    befriend(a, b)
    const aPeer = nextPeer(a.net)
    const bPeer = nextPeer(b.net)
    a.net.addContact(b.keyPair.publicKey)
    await a.net.flushed()
    b.net.addContact(a.keyPair.publicKey)
    const [pa, pb] = await Promise.all([aPeer, bPeer])

    expect(pa.remoteKey.equals(b.keyPair.publicKey)).toBe(true)
    expect(pb.remoteKey.equals(a.keyPair.publicKey)).toBe(true)
    expect(pa.lan).toBe(false)
    expect(a.net.peer(b.keyPair.publicKey)).toBe(pa)

    const atB = collect(pb)
    const atA = collect(pa)
    const logKey = Buffer.alloc(32, 7)
    pa.send({ type: 'hello', name: 'Ada', logKey, bundle: null })
    pa.send({ type: 'receipt', kind: 'read', upTo: 41 })
    pb.send({ type: 'typing', typing: true })
    pb.send({ type: 'prekeys', bundle: Buffer.from('bundle') })
    await until(() => atB.length === 2 && atA.length === 2, 'frames both ways')
    expect(atB).toEqual([
      { type: 'hello', name: 'Ada', logKey, bundle: null },
      { type: 'receipt', kind: 'read', upTo: 41 }
    ])
    expect(atA).toEqual([
      { type: 'typing', typing: true },
      { type: 'prekeys', bundle: Buffer.from('bundle') }
    ])
    expect(a.net.status()).toEqual({ mode: 'internet', peers: 1 })
  })

  it('time to first connection on the loopback testnet (printed, median of 5 pairs)', async () => {
    const measure = async (staggered: boolean): Promise<number[]> => {
      const times: number[] = []
      for (let i = 0; i < 5; i++) {
        const a = await h.node()
        const b = await h.node()
        befriend(a, b)
        const peers = Promise.all([nextPeer(a.net), nextPeer(b.net)])
        a.net.addContact(b.keyPair.publicKey)
        if (staggered) await a.net.flushed()
        const started = performance.now()
        b.net.addContact(a.keyPair.publicKey)
        await peers
        times.push(performance.now() - started)
        await Promise.all([a.net.close(), b.net.close()])
      }
      return times.sort((x, y) => x - y)
    }
    const show = (times: number[]) => `median ${times[2].toFixed(1)} ms (${times.map((t) => t.toFixed(1)).join(', ')})`
    const staggered = await measure(true)
    const together = await measure(false)
    console.log(`time to first connection, loopback testnet: b joins after a's announce: ${show(staggered)}; both join at once (the race, first re-lookup 100-200 ms here): ${show(together)}`)
    expect(staggered).toHaveLength(5)
  })

  it('connects when both sides join at the same instant', async () => {
    const a = await h.node()
    const b = await h.node()
    const [pa, pb] = await connectPair(a, b)
    const got = collect(pb)
    pa.send({ type: 'typing', typing: false })
    await until(() => got.length === 1, 'a frame after the race')
    expect(got[0]).toEqual({ type: 'typing', typing: false })
  })

  it('pairs added at the same instant find each other without waiting for the retry schedule', async () => {
    // The first retry is ten minutes away here, so each pair connects on its first lookups or on the
    // look that follows its own announcement, however the two announcements and lookups interleave.
    const retry = { initialMs: 600_000, maxMs: 600_000 }
    for (let i = 0; i < 4; i++) {
      const a = await h.node({ retry })
      const b = await h.node({ retry })
      const peers = connectPair(a, b)
      await until(() => a.net.peer(b.keyPair.publicKey) !== null && b.net.peer(a.keyPair.publicKey) !== null, `pair ${i} connected`)
      await peers
    }
  })

  it('reconnects by itself after the connection is dropped', async () => {
    const a = await h.node()
    const b = await h.node()
    const [pa] = await connectPair(a, b)

    const closed = new Promise<void>((resolve) => pa.once('close', resolve))
    const again = Promise.all([nextPeer(a.net), nextPeer(b.net)])
    pa.stream.destroy()
    await closed
    const [pa2, pb2] = await again
    expect(pa2).not.toBe(pa)
    const got = collect(pb2)
    pa2.send({ type: 'receipt', kind: 'delivered', upTo: 3 })
    await until(() => got.length === 1, 'a frame after reconnecting')
    expect(got[0]).toEqual({ type: 'receipt', kind: 'delivered', upTo: 3 })
  })

  it("frames sent the moment the channel opens wait for a late 'frame' listener, in order", async () => {
    const a = await h.node()
    const b = await h.node()
    befriend(a, b)
    a.net.on('peer', (peer: Peer) => {
      for (let i = 0; i < 20; i++) peer.send({ type: 'receipt', kind: 'delivered', upTo: i })
    })
    const late = new Promise<ControlFrame[]>((resolve) => {
      b.net.once('peer', (peer: Peer) => {
        setTimeout(() => {
          const frames = collect(peer)
          void until(() => frames.length === 20, 'the backlog').then(() => resolve(frames))
        }, 100)
      })
    })
    a.net.addContact(b.keyPair.publicKey)
    b.net.addContact(a.keyPair.publicKey)
    const frames = await late
    expect(frames.map((f) => (f.type === 'receipt' ? f.upTo : -1))).toEqual(Array.from({ length: 20 }, (_, i) => i))
  })

  it('removeContact drops the connection and stays away', async () => {
    const a = await h.node()
    const b = await h.node()
    const [, pb] = await connectPair(a, b)
    const closed = new Promise<void>((resolve) => pb.once('close', resolve))
    a.setClass(b.keyPair.publicKey, 'unknown')
    await a.net.removeContact(b.keyPair.publicKey)
    await closed
    expect(a.net.peer(b.keyPair.publicKey)).toBeNull()
    expect(a.net.status().peers).toBe(0)
  })
})

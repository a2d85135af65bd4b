import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ControlFrame, Network, Peer } from '../../core/net'
import { createLocalTestnet, type LocalTestnet } from '../../core/net/testnet'
import { Harness, befriend, until } from '../helpers/net'

function nextPeer(net: Network, lan: boolean): Promise<Peer> {
  return new Promise((resolve) => {
    const on = (peer: Peer) => {
      if (peer.lan !== lan) return
      net.off('peer', on)
      resolve(peer)
    }
    net.on('peer', on)
  })
}

describe('a second swarm on another DHT (the LAN)', () => {
  const h = new Harness()
  let lannet: LocalTestnet
  beforeEach(async () => {
    await h.start()
    lannet = await createLocalTestnet(3)
  })
  afterEach(async () => {
    await h.stop()
    await lannet.destroy()
  })

  it('contacts meet over the LAN DHT alone', async () => {
    const a = await h.node()
    const b = await h.node()
    befriend(a, b)
    a.net.addContact(b.keyPair.publicKey)
    b.net.addContact(a.keyPair.publicKey)
    await Promise.all([a.net.addDht(lannet.createNode(), { lan: true }), b.net.addDht(lannet.createNode(), { lan: true })])
    const [pa, pb] = await Promise.all([nextPeer(a.net, true), nextPeer(b.net, true)])
    const got: ControlFrame[] = []
    pb.on('frame', (frame: ControlFrame) => got.push(frame))
    pa.send({ type: 'typing', typing: true })
    await until(() => got.length === 1, 'a frame over the LAN')
    expect(a.net.status().peers).toBe(1)
    expect(a.net.peer(b.keyPair.publicKey)?.lan).toBe(true)
  })

  it('one peer per remote key: the LAN connection replaces the internet one on both ends', async () => {
    const a = await h.node()
    const b = await h.node()
    befriend(a, b)
    const internet = Promise.all([nextPeer(a.net, false), nextPeer(b.net, false)])
    a.net.addContact(b.keyPair.publicKey)
    b.net.addContact(a.keyPair.publicKey)
    const [ia] = await internet
    const internetClosed = new Promise<void>((resolve) => ia.once('close', () => resolve()))

    const lan = Promise.all([nextPeer(a.net, true), nextPeer(b.net, true)])
    await Promise.all([a.net.addDht(lannet.createNode(), { lan: true }), b.net.addDht(lannet.createNode(), { lan: true })])
    const [la, lb] = await lan
    await internetClosed
    expect(a.net.peer(b.keyPair.publicKey)).toBe(la)
    expect(b.net.peer(a.keyPair.publicKey)).toBe(lb)
    expect(a.net.status()).toEqual({ mode: 'internet', peers: 1 })

    const got: ControlFrame[] = []
    la.on('frame', (frame: ControlFrame) => got.push(frame))
    lb.send({ type: 'receipt', kind: 'read', upTo: 9 })
    await until(() => got.length === 1, 'a frame over the LAN peer')
    expect(la.closed).toBe(false)
  })

  it("a contact's late dial to the identity key (a request's, still under way when the pair met) leaves the pair's link alone", async () => {
    const a = await h.node()
    const b = await h.node()
    befriend(a, b)
    const peers = Promise.all([nextPeer(a.net, false), nextPeer(b.net, false)])
    a.net.addContact(b.keyPair.publicKey)
    b.net.addContact(a.keyPair.publicKey)
    const [pa] = await peers
    // What Bob's identity swarm does when a dial to Alice's inbox completes after the pair has met.
    const late = h.testnet!.createNode().connect(a.keyPair.publicKey, { keyPair: b.keyPair })
    late.on('error', () => {})
    let lateClosed = false
    late.once('close', () => (lateClosed = true))
    // Before the fix the late connection took the pair link's place: pa closed and the late one stayed.
    await until(() => lateClosed || pa.closed, 'the late connection refused or the pair link replaced')
    expect(pa.closed).toBe(false)
    expect(a.net.peer(b.keyPair.publicKey)).toBe(pa)
  })

  it('when the LAN goes away, the contacts fall back to the internet by themselves', async () => {
    const a = await h.node()
    const b = await h.node()
    befriend(a, b)
    const aLan = lannet.createNode()
    await Promise.all([a.net.addDht(aLan, { lan: true }), b.net.addDht(lannet.createNode(), { lan: true })])
    const lan = Promise.all([nextPeer(a.net, true), nextPeer(b.net, true)])
    a.net.addContact(b.keyPair.publicKey)
    b.net.addContact(a.keyPair.publicKey)
    const [la] = await lan
    expect(a.net.status().peers).toBe(1)

    const internet = Promise.all([nextPeer(a.net, false), nextPeer(b.net, false)])
    const lanClosed = new Promise<void>((resolve) => la.once('close', () => resolve()))
    await a.net.removeDht(aLan)
    await lanClosed
    const [ia] = await internet
    const got: ControlFrame[] = []
    ia.on('frame', (frame: ControlFrame) => got.push(frame))
    b.net.peer(a.keyPair.publicKey)!.send({ type: 'typing', typing: false })
    await until(() => got.length === 1, 'a frame over the internet after the LAN went away')
  })
})

import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import Protomux from 'protomux'
import c from 'compact-encoding'
import type { NoiseSecretStream } from 'hyperdht'
import type { RequestFrame, ControlFrame } from '../../core/net'
import { encodeRequestFrame } from '../../core/net'
import { Harness, keyPair, nextPeer, until } from '../helpers/net'

function closed(stream: NoiseSecretStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed) resolve()
    else stream.once('close', () => resolve())
  })
}

describe('contact requests and the firewall', () => {
  const h = new Harness()
  beforeEach(() => h.start())
  afterEach(() => h.stop())

  it("a stranger's request reaches 'request'; reclassifying to contact promotes the connection", async () => {
    const a = await h.node()
    const b = await h.node()
    a.setClass(b.keyPair.publicKey, 'contact')
    const requests: [Buffer, RequestFrame][] = []
    b.net.on('request', (from: Buffer, request: RequestFrame) => {
      requests.push([from, request])
      b.setClass(from, 'contact')
      b.net.reclassify(from)
    })
    const delivered = new Promise<Buffer>((resolve) => a.net.once('request-delivered', resolve))
    const peers = Promise.all([nextPeer(a.net), nextPeer(b.net)])
    a.net.addContact(b.keyPair.publicKey)
    a.net.sendRequest(b.keyPair.publicKey, { name: 'Ada Lovelace', bundle: Buffer.from([1, 2, 3]) })

    const [pa, pb] = await peers
    expect(requests).toHaveLength(1)
    expect(requests[0][0].equals(a.keyPair.publicKey)).toBe(true)
    expect(requests[0][1]).toEqual({ name: 'Ada Lovelace', bundle: Buffer.from([1, 2, 3]) })
    expect((await delivered).equals(b.keyPair.publicKey)).toBe(true)
    expect(pb.remoteKey.equals(a.keyPair.publicKey)).toBe(true)

    const got: ControlFrame[] = []
    pa.on('frame', (frame: ControlFrame) => got.push(frame))
    pb.send({ type: 'typing', typing: true })
    await until(() => got.length === 1, 'a frame over the promoted connection')
  })

  it("a request accepted over the inbox connection moves on to the pair's own connection", async () => {
    // A's lookups of the pair topic ran while B was not on it; B joins it while the inbox connection
    // already carries the pair. Neither side may stop looking until the pair's own connection is up:
    // that connection's Noise keys are pair keys, and the identity-keyed one is what the DHT must not see.
    const a = await h.node()
    const b = await h.node()
    a.setClass(b.keyPair.publicKey, 'contact')
    b.net.on('request', (from: Buffer) => {
      b.setClass(from, 'contact')
      b.net.reclassify(from)
    })
    const peers = Promise.all([nextPeer(a.net), nextPeer(b.net)])
    a.net.addContact(b.keyPair.publicKey)
    a.net.sendRequest(b.keyPair.publicKey, { name: 'Ada', bundle: null })
    await peers
    const overPair = () => {
      const [pa, pb] = [a.net.peer(b.keyPair.publicKey), b.net.peer(a.keyPair.publicKey)]
      return pa !== null && pb !== null && !pa.stream.remotePublicKey.equals(b.keyPair.publicKey) && pa.stream.handshakeHash.equals(pb.stream.handshakeHash)
    }
    expect(overPair()).toBe(false)
    b.net.addContact(a.keyPair.publicKey)
    await until(overPair, "the pair's own connection", 30_000)
  }, 60_000)

  it('a contact met over an inbox connection is looked for on its pair topics at once, not at its backed-off retry', async () => {
    // A has waited for B long enough for its re-lookups to back off; B then reaches A through A's inbox.
    // The pair's own connection must follow at once: left to A's next retry, the swap from the inbox
    // connection came whenever that fell, in the middle of whatever the pair was doing.
    const retry = { initialMs: 100, maxMs: 600_000 }
    const a = await h.node({ retry })
    const b = await h.node({ retry })
    a.setClass(b.keyPair.publicKey, 'contact')
    a.net.addContact(b.keyPair.publicKey)
    await until(() => (a.net.retryDelayMs(b.keyPair.publicKey) ?? 0) >= 3_200, "A's re-lookups backing off")
    let delayAtPeer: number | null = null
    a.net.once('peer', () => (delayAtPeer = a.net.retryDelayMs(b.keyPair.publicKey)))
    const peers = Promise.all([nextPeer(a.net), nextPeer(b.net)])
    b.setClass(a.keyPair.publicKey, 'contact')
    b.net.sendRequest(a.keyPair.publicKey, { name: 'B', bundle: null })
    const [pa] = await peers
    expect(pa.stream.remotePublicKey.equals(b.keyPair.publicKey)).toBe(true)
    expect(delayAtPeer).toBe(retry.initialMs)
    b.net.addContact(a.keyPair.publicKey)
    await until(() => {
      const [fromA, fromB] = [a.net.peer(b.keyPair.publicKey), b.net.peer(a.keyPair.publicKey)]
      return fromA !== null && fromB !== null && !fromA.stream.remotePublicKey.equals(b.keyPair.publicKey) && fromA.stream.handshakeHash.equals(fromB.stream.handshakeHash)
    }, "the pair's own connection", 30_000)
  }, 60_000)

  it('two people requesting each other at once become connected contacts, both requests delivered', async () => {
    const a = await h.node()
    const b = await h.node()
    a.setClass(b.keyPair.publicKey, 'contact')
    b.setClass(a.keyPair.publicKey, 'contact')
    const delivered = Promise.all([
      new Promise<void>((resolve) => a.net.once('request-delivered', () => resolve())),
      new Promise<void>((resolve) => b.net.once('request-delivered', () => resolve()))
    ])
    const peers = Promise.all([nextPeer(a.net), nextPeer(b.net)])
    a.net.addContact(b.keyPair.publicKey)
    b.net.addContact(a.keyPair.publicKey)
    a.net.sendRequest(b.keyPair.publicKey, { name: 'A', bundle: null })
    b.net.sendRequest(a.keyPair.publicKey, { name: 'B', bundle: null })
    await peers
    await delivered
  })

  it('an unanswered request is acked and the stranger dropped; accepting later connects over the pair topic', async () => {
    const a = await h.node()
    const b = await h.node()
    a.setClass(b.keyPair.publicKey, 'contact')
    const requests: Buffer[] = []
    b.net.on('request', (from: Buffer) => requests.push(from))
    let bPeers = 0
    b.net.on('peer', () => bPeers++)
    const delivered = new Promise<void>((resolve) => a.net.once('request-delivered', () => resolve()))
    a.net.addContact(b.keyPair.publicKey)
    a.net.sendRequest(b.keyPair.publicKey, { name: 'Ada', bundle: null })
    await delivered
    expect(requests).toHaveLength(1)
    await until(() => b.net.status().peers === 0, 'the stranger dropped after the ack')
    expect(bPeers).toBe(0)

    const peers = Promise.all([nextPeer(a.net), nextPeer(b.net)])
    b.setClass(a.keyPair.publicKey, 'contact')
    b.net.addContact(a.keyPair.publicKey)
    await peers
    expect(requests).toHaveLength(1)
  })

  it('a stranger can open no channel but the inbox and is dropped after the inbox timeout', async () => {
    const b = await h.node({ limits: { inboxTimeoutMs: 1_000 } })
    let peers = 0
    b.net.on('peer', () => peers++)
    const stranger = h.testnet!.createNode()
    const stream = stranger.connect(b.keyPair.publicKey, { keyPair: keyPair() })
    stream.on('error', () => {})
    expect(await stream.opened).toBe(true)
    const mux = Protomux.from(stream)
    const outcomes: string[] = []
    for (const protocol of ['cairn/control', 'hypercore/alpha', 'anything']) {
      const channel = mux.createChannel({
        protocol,
        messages: [{ encoding: c.raw }],
        onopen: () => outcomes.push(`${protocol} opened`),
        onclose: () => outcomes.push(`${protocol} refused`)
      })
      channel!.open()
      channel!.messages[0].send(Buffer.from('let me in'))
    }
    await until(() => outcomes.length === 3, 'the three channels refused')
    expect(outcomes.sort()).toEqual(['anything refused', 'cairn/control refused', 'hypercore/alpha refused'])
    await closed(stream)
    expect(peers).toBe(0)
    expect(b.net.status().peers).toBe(0)
  })

  it('with no room for strangers, a stranger is refused at the handshake', async () => {
    const b = await h.node({ limits: { maxUnknownConnections: 0 } })
    const stream = h.testnet!.createNode().connect(b.keyPair.publicKey, { keyPair: keyPair() })
    stream.on('error', () => {})
    expect(await stream.opened).toBe(false)
    expect(b.net.status().peers).toBe(0)
  })

  it('a blocked key is refused at the handshake; unblocking lets it in again', async () => {
    const b = await h.node()
    const intruder = keyPair()
    b.setClass(intruder.publicKey, 'blocked')
    const node = h.testnet!.createNode()
    const first = node.connect(b.keyPair.publicKey, { keyPair: intruder })
    first.on('error', () => {})
    expect(await first.opened).toBe(false)

    b.setClass(intruder.publicKey, 'contact')
    const second = node.connect(b.keyPair.publicKey, { keyPair: intruder })
    second.on('error', () => {})
    expect(await second.opened).toBe(true)
    second.destroy()
  })

  it('blocking a connected contact drops it at once', async () => {
    const a = await h.node()
    const b = await h.node()
    a.setClass(b.keyPair.publicKey, 'contact')
    b.setClass(a.keyPair.publicKey, 'contact')
    const peers = Promise.all([nextPeer(a.net), nextPeer(b.net)])
    a.net.addContact(b.keyPair.publicKey)
    b.net.addContact(a.keyPair.publicKey)
    const [pa] = await peers
    const gone = new Promise<void>((resolve) => pa.once('close', () => resolve()))
    b.setClass(a.keyPair.publicKey, 'blocked')
    b.net.reclassify(a.keyPair.publicKey)
    await gone
    expect(b.net.peer(a.keyPair.publicKey)).toBeNull()
  })

  it('a flood of 1,000 request attempts is capped and a contact still connects during it', async () => {
    const limits = { requestsPerMinute: 10, maxUnknownConnections: 4, inboxTimeoutMs: 2_000 }
    const b = await h.node({ limits })
    const a = await h.node()
    a.setClass(b.keyPair.publicKey, 'contact')
    b.setClass(a.keyPair.publicKey, 'contact')
    let requests = 0
    b.net.on('request', () => requests++)

    const attacker = h.testnet!.createNode()
    const request = encodeRequestFrame({ name: 'flood', bundle: null })
    let opened = 0
    let attempted = 0
    const started = Date.now()
    const deadline = started + 45_000
    const attempt = async (): Promise<void> => {
      const stream = attacker.connect(b.keyPair.publicKey, { keyPair: keyPair() })
      stream.on('error', () => {})
      // A refused handshake gets no answer at all; the attacker gives up rather than wait it out.
      const giveUp = setTimeout(() => stream.destroy(), 3_000)
      const ok = await stream.opened
      clearTimeout(giveUp)
      if (!ok) return
      opened++
      const channel = Protomux.from(stream).createChannel({ protocol: 'cairn/inbox', messages: [{ encoding: c.raw }, { encoding: c.raw }] })
      channel!.open()
      channel!.messages[0].send(request)
      await closed(stream)
    }
    const flood = (async () => {
      while (attempted < 1_000 && Date.now() < deadline) {
        const batch = Math.min(250, 1_000 - attempted)
        attempted += batch
        await Promise.all(Array.from({ length: batch }, attempt))
      }
    })()

    const peers = Promise.all([nextPeer(a.net), nextPeer(b.net)])
    a.net.addContact(b.keyPair.publicKey)
    b.net.addContact(a.keyPair.publicKey)
    const [pa, pb] = await peers
    const got: ControlFrame[] = []
    pb.on('frame', (frame: ControlFrame) => got.push(frame))
    pa.send({ type: 'receipt', kind: 'delivered', upTo: 1 })
    await until(() => got.length === 1, 'a frame from the contact during the flood')

    await flood
    const minutes = Math.ceil((Date.now() - started) / 60_000)
    console.log(`flood: ${attempted} attempts, ${opened} admitted, ${requests} requests surfaced in ${Date.now() - started} ms`)
    expect(attempted).toBeGreaterThanOrEqual(500)
    expect(opened).toBeLessThanOrEqual(limits.requestsPerMinute * minutes)
    expect(requests).toBeLessThanOrEqual(limits.requestsPerMinute * minutes)
    expect(requests).toBeGreaterThan(0)

    pa.send({ type: 'typing', typing: true })
    await until(() => got.length === 2, 'a frame from the contact after the flood')
  }, 120_000)
})

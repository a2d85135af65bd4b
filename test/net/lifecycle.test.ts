import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CairnError } from '../../core/api/errors'
import { Network, dayOf, inboxTopic, pairDays } from '../../core/net'
import { generateIdentity } from '../../core/identity'
import { blake2b } from '../../core/crypto'
import { Harness, befriend, connectPair, keyPair, never, nextPeer, until } from '../helpers/net'

function timers(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length
}

describe('topics', () => {
  it("each side of each pair has its own key pair and topic per day; none is a hash of the public keys", () => {
    const a = generateIdentity()
    const b = generateIdentity()
    const c = generateIdentity()
    const [ab, abNext] = pairDays(a, b.publicKey, [20_000, 20_001])
    const [ba] = pairDays(b, a.publicKey, [20_000])
    const [ac] = pairDays(a, c.publicKey, [20_000])
    expect(ab.mine.topic).toHaveLength(32)
    expect(ab.mine.topic.equals(ba.theirs.topic)).toBe(true)
    expect(ab.theirs.topic.equals(ba.mine.topic)).toBe(true)
    expect(ab.mine.keyPair.publicKey.equals(ba.theirs.publicKey)).toBe(true)
    expect(ab.theirs.publicKey.equals(ba.mine.keyPair.publicKey)).toBe(true)
    const mine = [ab.mine, abNext.mine, ac.mine]
    expect(new Set(mine.map((side) => side.topic.toString('hex'))).size).toBe(3)
    expect(new Set(mine.map((side) => side.keyPair.publicKey.toString('hex'))).size).toBe(3)
    for (const side of mine) {
      for (const key of [a.publicKey, b.publicKey, c.publicKey]) expect(side.keyPair.publicKey.equals(key)).toBe(false)
    }
    for (const guess of [
      blake2b(32, Buffer.concat([a.publicKey, b.publicKey])),
      blake2b(32, Buffer.concat([b.publicKey, a.publicKey])),
      blake2b(32, a.publicKey),
      inboxTopic(a.publicKey),
      inboxTopic(b.publicKey)
    ]) {
      expect(guess.equals(ab.mine.topic) || guess.equals(ab.theirs.topic)).toBe(false)
    }
    expect(inboxTopic(a.publicKey).equals(inboxTopic(b.publicKey))).toBe(false)
    expect(() => pairDays(a, Buffer.alloc(32), [20_000])).toThrow(CairnError)
  })
})

describe('network lifecycle', () => {
  const h = new Harness()
  beforeEach(() => h.start())
  afterEach(() => h.stop())

  it("a DHT observer finds each side of a pair under its own topic and pair key, never an identity key", async () => {
    const a = await h.node()
    const b = await h.node()
    await connectPair(a, b)
    await Promise.all([a.net.flushed(), b.net.flushed()])
    const observer = h.testnet!.createNode()
    const announcers = async (topic: Buffer): Promise<string[]> => {
      const seen = new Set<string>()
      for await (const reply of observer.lookup(topic)) for (const peer of reply.peers) seen.add(peer.publicKey.toString('hex'))
      return [...seen]
    }
    const [today] = pairDays(a.keyPair, b.keyPair.publicKey, [dayOf(Date.now())])
    expect(await announcers(today.mine.topic)).toEqual([today.mine.keyPair.publicKey.toString('hex')])
    expect(await announcers(today.theirs.topic)).toEqual([today.theirs.publicKey.toString('hex')])
  })

  it("with its DHT unreachable, ready() still resolves and the status says 'offline'", async () => {
    const net = new Network({ keyPair: keyPair(), bootstrap: [{ host: '127.0.0.1', port: 9 }], classify: () => 'unknown', log: () => {} })
    try {
      await net.ready()
      await until(() => net.status().mode === 'offline', "the 'offline' status", 20_000)
      expect(net.status().peers).toBe(0)
    } finally {
      await net.close()
    }
  })

  it('rejects malformed keys and requests with typed errors', async () => {
    const a = await h.node()
    expect(() => a.net.addContact(Buffer.alloc(31))).toThrow(CairnError)
    expect(() => a.net.sendRequest(Buffer.alloc(33), { name: 'x', bundle: null })).toThrow(/32 bytes/)
    expect(() => a.net.sendRequest(keyPair().publicKey, { name: 'x'.repeat(65), bundle: null })).toThrow(CairnError)
    expect(() => a.net.peer('nope' as unknown as Buffer)).toThrow(CairnError)
    expect(a.net.status().peers).toBe(0)
  })

  it('a contact that goes away and comes back (same key, new node) is reconnected to by itself', async () => {
    const a = await h.node()
    const bKeys = keyPair()
    const b = await h.node({}, bKeys)
    const [pa] = await connectPair(a, b)
    const gone = new Promise<void>((resolve) => pa.once('close', () => resolve()))
    await b.net.close()
    await gone
    await until(() => a.net.status().peers === 0, 'a sees b gone')

    const again = nextPeer(a.net)
    const b2 = await h.node({}, bKeys)
    b2.setClass(a.keyPair.publicKey, 'contact')
    b2.net.addContact(a.keyPair.publicKey)
    const peer = await again
    expect(peer.remoteKey.equals(bKeys.publicKey)).toBe(true)
  })

  it('a request to someone offline is retried until they come online', async () => {
    const a = await h.node()
    const bKeys = keyPair()
    a.setClass(bKeys.publicKey, 'contact')
    a.net.sendRequest(bKeys.publicKey, { name: 'patient', bundle: null })
    await a.net.flushed()
    const delivered = new Promise<void>((resolve) => a.net.once('request-delivered', () => resolve()))
    const b = await h.node({}, bKeys)
    const names: string[] = []
    b.net.on('request', (_from: Buffer, request: { name: string }) => names.push(request.name))
    await delivered
    expect(names).toEqual(['patient'])
  })

  it('a cancelled request is never delivered', async () => {
    const a = await h.node()
    const bKeys = keyPair()
    a.setClass(bKeys.publicKey, 'contact')
    a.net.sendRequest(bKeys.publicKey, { name: 'changed my mind', bundle: null })
    a.net.cancelRequest(bKeys.publicKey)
    a.setClass(bKeys.publicKey, 'unknown')
    const b = await h.node({}, bKeys)
    let requests = 0
    b.net.on('request', () => requests++)
    // Longer than the helpers' longest retry delay (2 s): a live retry would have delivered by then.
    await never(() => requests > 0 || b.net.status().peers > 0, 'a cancelled request arrived', 3_000)
  })

  it("emits 'status' as peers come and go", async () => {
    const a = await h.node()
    const b = await h.node()
    befriend(a, b)
    const seen: number[] = []
    a.net.on('status', (status: { peers: number }) => seen.push(status.peers))
    const peers = Promise.all([nextPeer(a.net), nextPeer(b.net)])
    a.net.addContact(b.keyPair.publicKey)
    b.net.addContact(a.keyPair.publicKey)
    await peers
    await until(() => seen.includes(1), "a 'status' with one peer")
    await b.net.close()
    await until(() => seen.at(-1) === 0, "a 'status' with no peers")
  })

  it('close() leaves no timer running and refuses further use', async () => {
    const before = timers()
    const a = await h.node()
    const b = await h.node()
    const peers = connectPair(a, b)
    a.net.addContact(keyPair().publicKey)
    a.net.sendRequest(keyPair().publicKey, { name: 'nobody home', bundle: null })
    await peers
    expect(timers()).toBeGreaterThan(before)
    await Promise.all([a.net.close(), b.net.close()])
    await until(() => timers() <= before, 'timers cleared after close', 10_000)
    expect(() => a.net.addContact(keyPair().publicKey)).toThrow(CairnError)
    await a.net.close()
  })
})

import { afterEach, describe, expect, it } from 'vitest'
import { randomBytes } from '../../core/crypto'
import { decodeContactId } from '../../core/identity'
import { attachToPeer } from '../../core/log'
import type { IdentityKeyPair } from '../../core/identity'
import { LOG_LIMITS } from '../../core/log'
import { FRAME_RATES } from '../../core/net/frame-budget'
import { bundleOf, encodeBundle, generateSignedPrekey, MAX_ENVELOPE_BYTES } from '../../core/ratchet'
import { Fixture, folderBytes, pair, PASS, peerOf, waitFor } from '../helpers/core'
import { messengerOf, ownLog, ownLogKey, rewriteOwnLog } from '../helpers/tamper'

const f = new Fixture()
afterEach(() => f.cleanup())

describe('hostile logs and strangers', () => {
  it('rejects random, truncated, oversized and replayed blocks in a contact log with security events and keeps working', async () => {
    const { a, b, aId, bId } = await pair(f)
    await b.host.send(aId, 'first')
    await waitFor('first arrives', () => a.of('message').some((e) => e.message.text === 'first'))
    await b.close()

    await rewriteOwnLog(b.dir, PASS, aId, async (core) => {
      const valid = (await core.get(0))!
      // The log holds a ratchet envelope only: neither the text nor either party's key in clear.
      for (const needle of [Buffer.from('first'), decodeContactId(aId), decodeContactId(bId), Buffer.from(aId), Buffer.from(bId)]) {
        expect(valid.includes(needle)).toBe(false)
      }
      await core.append([randomBytes(200), valid.subarray(0, valid.length >> 1), randomBytes(100_000), valid])
    })
    const b2 = await f.host(b.dir)
    await b2.host.unlock(PASS)
    await b2.host.send(aId, 'after the garbage')

    await waitFor('valid message after the garbage', () => a.of('message').some((e) => e.message.text === 'after the garbage'))
    const security = a.of('security').map((e) => e.event)
    expect(security).toHaveLength(4)
    for (const event of security) expect(event).toMatchObject({ contact: bId, kind: 'decrypt-failed' })
    expect(security.map((e) => e.detail).join('\n')).toMatch(/block 1[\s\S]*block 2[\s\S]*block 3[\s\S]*block 4/)
    expect(security[2].detail).toMatch(/oversized \(100000 bytes\): not downloaded/)
    // Its size came from the signed tree: the block itself never reached A's disk.
    const { directory } = messengerOf(a.host) as unknown as { directory: { require(id: string): { logs: { theirsCore: import('hypercore').default } } } }
    const theirs = directory.require(bId).logs.theirsCore
    expect([await theirs.has(2), await theirs.has(3), await theirs.has(4)]).toEqual([true, false, true])
    expect((await a.host.history(bId)).messages.map((m) => m.text)).toEqual(['after the garbage', 'first'])

    await a.host.send(bId, 'still chatting')
    await waitFor('B still receives', () => b2.of('message').some((e) => e.message.text === 'still chatting'))
  })

  it('reports a rewritten contact log as a fork and accepts nothing more from it', async () => {
    const { a, b, aId, bId } = await pair(f)
    for (const text of ['one', 'two', 'three']) await b.host.send(aId, text)
    await waitFor('three arrive', () => a.of('message').length === 3)
    await b.close()

    await rewriteOwnLog(b.dir, PASS, aId, async (core) => {
      await core.truncate(1)
      await core.append([randomBytes(120), randomBytes(120)])
    })
    const b2 = await f.host(b.dir)
    await b2.host.unlock(PASS)
    await b2.host.send(aId, 'after the rewrite')

    await waitFor('fork reported', () => a.of('security').some((e) => e.event.kind === 'log-fork' && e.event.contact === bId))
    await a.host.send(bId, 'ping')
    await waitFor('B still hears A', () => b2.of('message').some((e) => e.message.text === 'ping'))
    expect((await a.host.history(bId)).messages.filter((m) => m.direction === 'in').map((m) => m.text)).toEqual(['three', 'two', 'one'])
  })

  it('a contact cannot fetch my conversation with someone else', async () => {
    const { a, b, aId, bId } = await pair(f)
    const c = await f.host()
    const cId = (await c.host.create('Carol', PASS)).id
    await a.host.addContact(cId, 'Carol')
    await c.host.addContact(aId, 'Alice')
    await waitFor('A and C connected', async () => (await c.host.contacts())[0]?.presence !== 'offline')
    await a.host.send(bId, 'for Bob only')
    await a.host.send(cId, 'for Carol')
    await waitFor('both delivered', () => b.of('message').length === 1 && c.of('message').length === 1)

    const carol = (c.host as unknown as { messenger: { corestore: import('corestore').default; network: import('../../core/net').Network } }).messenger
    const link = carol.network.peer(decodeContactId(aId))!
    const fetch = async (key: Buffer) => {
      const core = carol.corestore.get({ key })
      await core.ready()
      attachToPeer(core, link.stream)
      try {
        return await core.get(0, { timeout: 3000 })
      } finally {
        await core.close()
      }
    }
    const toCarol = ownLogKey(a.host, cId)
    const toBob = ownLogKey(a.host, bId)
    expect(await fetch(toCarol)).toBeInstanceOf(Buffer)
    await expect(fetch(toBob)).rejects.toThrow()
  })

  it('a malformed control frame from a contact is a security event; the node reconnects and keeps chatting', async () => {
    const { a, b, aId, bId } = await pair(f)
    const bob = (b.host as unknown as { messenger: { network: import('../../core/net').Network } }).messenger
    const link = bob.network.peer(decodeContactId(aId))!
    ;(link as unknown as { message: { send(bytes: Buffer): void } }).message.send(randomBytes(40))
    await waitFor('protocol violation reported', () => a.of('security').some((e) => e.event.kind === 'protocol-violation' && e.event.contact === bId))
    await b.host.send(aId, 'after the bad frame')
    await waitFor('chat continues', () => a.of('message').some((e) => e.message.text === 'after the bad frame'), 60_000)
  })
})

describe('a contact flooding control frames', () => {
  const f2 = new Fixture()
  afterEach(() => f2.cleanup())
  type Inner = { network: import('../../core/net').Network; store: import('../../core/store').Store; self: { bundle(): Buffer; identity: IdentityKeyPair } }

  it('2,000 repeated prekeys and hello frames write nothing: the profile grows by less than 256 KB (10 MB before)', async () => {
    const { a, b, aId, bId } = await pair(f2)
    const alice = messengerOf(a.host) as unknown as Inner
    const bob = messengerOf(b.host) as unknown as Inner
    const bundle = bob.self.bundle()
    const logKey = ownLogKey(b.host, aId)
    await alice.store.write(() => undefined)
    const before = await folderBytes(a.dir)
    const link = peerOf(b, aId)!
    for (let i = 0; i < 2000; i++) {
      link.send({ type: 'prekeys', bundle })
      if (i % 100 === 0) link.send({ type: 'hello', name: 'Bob', logKey, bundle })
    }
    link.send({ type: 'typing', typing: true })
    await waitFor('the flood is handled', () => a.of('typing').length > 0, 30_000)
    expect(link.closed).toBe(false)
    await alice.store.write(() => undefined)
    const grown = (await folderBytes(a.dir)) - before
    expect(grown).toBeLessThan(256 * 1024)
    expect(alice.network.droppedFrames(decodeContactId(bId))).toBeGreaterThan(1900)
    const flood = a.of('security').map((e) => e.event)
    expect(flood).toHaveLength(1)
    expect(flood[0]).toMatchObject({ contact: bId, kind: 'protocol-violation' })
    expect(flood[0].detail).toMatch(/prekeys/)
  }, 60_000)

  it('500 different validly signed bundles are taken at the prekeys rate: a few are stored, the rest dropped unverified', async () => {
    const { a, b, aId, bId } = await pair(f2)
    const alice = messengerOf(a.host) as unknown as Inner
    const bob = messengerOf(b.host) as unknown as Inner
    const bundles = Array.from({ length: 500 }, (_, i) => encodeBundle(bundleOf(bob.self.identity, generateSignedPrekey(bob.self.identity, 1000 + i))))
    const link = peerOf(b, aId)!
    for (const bundle of bundles) link.send({ type: 'prekeys', bundle })
    link.send({ type: 'typing', typing: true })
    await waitFor('the flood is handled', () => a.of('typing').length > 0, 30_000)
    const { directory } = alice as unknown as { directory: { require(id: string): { record: { bundle: string | null } } } }
    const stored = directory.require(bId).record.bundle
    const taken = bundles.findIndex((bundle) => bundle.toString('hex') === stored)
    // The pairing's own frames may already have used the burst, so none of these may be stored (-1);
    // one that is comes from the first burst.
    expect(taken).toBeLessThan(FRAME_RATES.prekeys.burst + 1)
    expect(alice.network.droppedFrames(decodeContactId(bId))).toBeGreaterThanOrEqual(500 - FRAME_RATES.prekeys.burst - 1)
  }, 60_000)
})

describe('a contact writing a large log', () => {
  const f3 = new Fixture()
  afterEach(() => f3.cleanup())

  it('more than the byte burst appended at once is downloaded at the log budget: the burst, then the rate, and the rest later', async () => {
    const { a, b, aId, bId } = await pair(f3)
    const BLOCK = 60_000
    const COUNT = Math.ceil(LOG_LIMITS.burstBytes / BLOCK) + 20
    const log = ownLog(messengerOf(b.host), aId)
    const started = Date.now()
    await log.append(Array.from({ length: COUNT }, () => randomBytes(BLOCK)))
    const rejected = () => a.of('security').filter((e) => e.event.contact === bId && e.event.kind === 'decrypt-failed').length
    const burst = Math.floor(LOG_LIMITS.burstBytes / BLOCK)
    await waitFor('the burst read', () => rejected() >= burst - 1, 30_000)
    const { directory } = messengerOf(a.host) as unknown as { directory: { require(id: string): { logs: { theirsCore: import('hypercore').default } } } }
    const theirs = directory.require(bId).logs.theirsCore
    let held = 0
    for (let i = 0; i < COUNT; i++) if (await theirs.has(i)) held++
    const allowed = LOG_LIMITS.burstBytes + ((Date.now() - started) / 1000) * LOG_LIMITS.bytesPerSecond + MAX_ENVELOPE_BYTES
    expect(held * BLOCK).toBeLessThanOrEqual(allowed)
    expect(held).toBeLessThan(COUNT)
    // Nothing is refused for its pace: the next blocks come as the budget refills.
    await waitFor('the log read on at the rate', () => rejected() >= held + 2, 30_000)
  }, 90_000)
})

import { afterEach, describe, expect, it } from 'vitest'
import HyperDHT from 'hyperdht'
import { cryptoReady, randomBytes } from '../../core/crypto'
import { encodeContactId } from '../../core/identity'
import { openBundle, openRequest, sealBundle, sealRequest } from '../../core/home'
import { MAX_WAITING_REQUESTS_PER_PROFILE } from '../../core/home/registry'
import { inboxTopic } from '../../core/protocol/topics'
import { MAX_ONE_TIME_PREKEYS } from '../../core/home/wire'
import { bundleOf, decodeBundle, encodeBundle, generateSignedPrekey } from '../../core/ratchet'
import { diskBytes, HomeFixture } from './helpers'

const f = new HomeFixture()
afterEach(() => f.cleanup())

describe('starting while the owner is away', () => {
  it('serves the sealed bundle and each one-time prekey once, and holds sealed requests for the owner', async () => {
    await cryptoReady()
    const box = await f.box()
    const bob = await f.device()
    const owner = await f.paired(box, bob)
    const inbox = inboxTopic(bob.identity.publicKey)
    const bundle = encodeBundle(bundleOf(bob.identity, generateSignedPrekey(bob.identity, 1)))
    const oneTime = [randomBytes(32), randomBytes(32)]
    await owner.publish(inbox, sealBundle(bob.identity.publicKey, bundle), oneTime)
    await owner.close()

    const carol = await f.device()
    const dht = (await f.net()).createNode()
    const announced: Buffer[] = []
    for await (const reply of dht.lookup(inbox)) for (const peer of reply.peers) announced.push(peer.publicKey)
    expect(announced.some((k) => k.equals(box.publicKey))).toBe(true)

    const stranger = await f.client(box.publicKey, HyperDHT.keyPair())
    const first = await stranger.bundle(inbox)
    expect(decodeBundle(openBundle(bob.identity.publicKey, first.bundle), bob.identity.publicKey).prekeyId).toBe(1)
    expect(() => openBundle(carol.identity.publicKey, first.bundle)).toThrow(/not this contact/)
    expect(first.oneTime).toEqual(oneTime[0])
    expect((await stranger.bundle(inbox)).oneTime).toEqual(oneTime[1])
    expect((await stranger.bundle(inbox)).oneTime).toBeNull()

    const hello = 'REQUEST-FROM-carol-named-Caroline'
    await stranger.deposit(inbox, sealRequest(bob.identity.publicKey, Buffer.from(hello)))
    await expect(stranger.deposit(randomBytes(32), sealRequest(bob.identity.publicKey, Buffer.from('x')))).rejects.toMatchObject({ code: 'no-profile' })
    await expect(stranger.raw({ op: 'requests', forgetUpTo: 0 })).rejects.toMatchObject({ code: 'not-paired' })
    await stranger.close()

    const back = await f.client(box.publicKey, bob.linkKey(box.publicKey))
    const [item, ...rest] = await back.requests(0)
    expect(rest).toEqual([])
    expect(openRequest(bob.identity, item.sealed).toString()).toBe(hello)
    expect(() => openRequest(carol.identity, item.sealed)).toThrow(/not sealed to this identity/)
    expect(await back.requests(item.seq)).toEqual([])
    expect((await back.status()).requests).toBe(0)

    await back.close()
    await box.close()
    const disk = await diskBytes(box.dir)
    for (const needle of [
      Buffer.from(hello),
      bob.identity.publicKey,
      Buffer.from(encodeContactId(bob.identity.publicKey)),
      Buffer.from(bob.identity.publicKey.toString('hex'))
    ]) {
      expect(disk.includes(needle)).toBe(false)
    }
  })

  it('the owner tops up the one-time supply: held counts go down as strangers take them, the oldest go past the cap', async () => {
    const box = await f.box()
    const bob = await f.device()
    const owner = await f.paired(box, bob)
    const inbox = inboxTopic(bob.identity.publicKey)
    await expect(owner.supply([Buffer.from('too early')])).rejects.toMatchObject({ code: 'no-profile' })
    await owner.publish(inbox, sealBundle(bob.identity.publicKey, Buffer.from('b')), [])
    expect(await owner.supply([])).toBe(0)
    const batch = (from: number, n: number) => Array.from({ length: n }, (_, i) => Buffer.from(`otk-${from + i}`))
    expect(await owner.supply(batch(0, 60))).toBe(60)
    expect(await owner.supply(batch(60, 60))).toBe(MAX_ONE_TIME_PREKEYS)
    const stranger = await f.client(box.publicKey, HyperDHT.keyPair())
    expect((await stranger.bundle(inbox)).oneTime?.toString()).toBe('otk-20')
    expect(await owner.supply([])).toBe(MAX_ONE_TIME_PREKEYS - 1)
    await expect(stranger.raw({ op: 'supply', oneTime: [] })).rejects.toMatchObject({ code: 'not-paired' })
  })

  it('waiting requests are capped per person', async () => {
    const box = await f.box()
    const bob = await f.device()
    const owner = await f.paired(box, bob)
    const inbox = inboxTopic(bob.identity.publicKey)
    await owner.publish(inbox, sealBundle(bob.identity.publicKey, Buffer.from('b')), [])
    const stranger = await f.client(box.publicKey, HyperDHT.keyPair())
    const sealed = sealRequest(bob.identity.publicKey, Buffer.from('hi'))
    for (let i = 0; i < MAX_WAITING_REQUESTS_PER_PROFILE; i++) await stranger.deposit(inbox, sealed)
    await expect(stranger.deposit(inbox, sealed)).rejects.toMatchObject({ code: 'limit' })
    expect((await owner.status()).requests).toBe(MAX_WAITING_REQUESTS_PER_PROFILE)
  })
})

import { afterEach, describe, expect, it } from 'vitest'
import HyperDHT from 'hyperdht'
import type { BoxEvent } from '../../core/home'
import { HomeFixture, waitFor } from './helpers'

const f = new HomeFixture()
afterEach(() => f.cleanup())

const DAY = 24 * 60 * 60 * 1000

describe('what the home node keeps over time', () => {
  it('clears acknowledged blocks once the profile’s expiry passed, and a restart loses nothing else', async () => {
    let clock = Date.now()
    const box = await f.box(undefined, { now: () => clock })
    const seen: BoxEvent[] = []
    box.on('event', (e: BoxEvent) => seen.push(e))
    const alice = await f.device()
    const owner = await f.paired(box, alice, { expireDays: 30 })
    const log = alice.store.get({ name: 'out/bob' })
    await log.ready()
    await log.append([Buffer.alloc(100, 1), Buffer.alloc(100, 2), Buffer.alloc(100, 3), Buffer.alloc(100, 4)])
    await owner.keep(log)
    const bob = HyperDHT.keyPair()
    await owner.grant(bob.publicKey, [log.key!])
    await waitFor('the box fetched the log', () => seen.some((e) => e.type === 'fetched' && e.length === 4))
    expect((await owner.status()).bytes).toBe(400)

    await owner.ack(log.key!, 2)
    clock += 29 * DAY
    expect(await box.sweep()).toBe(0)
    clock += 2 * DAY
    expect(await box.sweep()).toBe(200)
    expect((await owner.status()).bytes).toBe(200)
    await owner.close()
    await alice.store.close()

    const dir = box.dir
    await box.close()
    const again = await f.box(dir, { now: () => clock })
    const [profile] = (await again.status()).profiles
    expect(profile).toMatchObject({ bytes: 200, logs: 1, expireDays: 30 })
    expect(await again.sweep()).toBe(0)

    const reader = (await f.device()).store.get({ key: log.key! })
    await reader.ready()
    const guest = await f.client(again.publicKey, bob)
    await guest.want(reader)
    expect((await reader.get(3, { timeout: 20_000 }))!.equals(Buffer.alloc(100, 4))).toBe(true)
    expect((await reader.get(2, { timeout: 20_000 }))!.equals(Buffer.alloc(100, 3))).toBe(true)
    await expect(reader.get(0, { timeout: 1_000 })).rejects.toThrow()
  })
})

describe('a restarted home node', () => {
  it('still keeps and serves each profile’s logs, and still applies its grants', async () => {
    const box = await f.box()
    const alice = await f.device()
    const owner = await f.paired(box, alice)
    const log = alice.store.get({ name: 'out/bob' })
    await log.ready()
    await log.append([Buffer.alloc(100, 1), Buffer.alloc(100, 2)])
    await owner.keep(log)
    const bob = HyperDHT.keyPair()
    const carol = HyperDHT.keyPair()
    await owner.grant(bob.publicKey, [log.key!])
    await owner.grant(carol.publicKey, [log.key!])
    const [{ profile }] = (await box.status()).profiles
    await waitFor('the box fetched the log', async () => (await box.status()).profiles[0].bytes === 200)
    await owner.close()
    const dir = box.dir
    await box.close()

    const again = await f.box(dir)
    const seen: BoxEvent[] = []
    again.on('event', (e: BoxEvent) => seen.push(e))
    const back = await f.client(again.publicKey, alice.linkKey(again.publicKey))
    await back.want(log)
    await log.append([Buffer.alloc(100, 3)])
    await waitFor('the box fetched the new block for the profile', () =>
      seen.some((e) => e.type === 'fetched' && e.profile === profile && e.length === 3)
    )
    expect(await back.status()).toMatchObject({ bytes: 300, logs: 1 })

    await back.ungrant(bob.publicKey)
    const bobReader = (await f.device()).store.get({ key: log.key! })
    await bobReader.ready()
    await expect((await f.client(again.publicKey, bob)).want(bobReader)).rejects.toMatchObject({ code: 'not-paired' })
    const carolReader = (await f.device()).store.get({ key: log.key! })
    await carolReader.ready()
    await (await f.client(again.publicKey, carol)).want(carolReader)
    expect((await carolReader.get(2, { timeout: 20_000 }))!.equals(Buffer.alloc(100, 3))).toBe(true)
  })
})

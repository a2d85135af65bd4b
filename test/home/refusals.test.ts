import { afterEach, describe, expect, it } from 'vitest'
import c from 'compact-encoding'
import HyperDHT from 'hyperdht'
import Protomux from 'protomux'
import type { BoxEvent } from '../../core/home'
import { HomeFixture, waitFor } from './helpers'

const f = new HomeFixture()
afterEach(() => f.cleanup())

async function ownLog(store: import('corestore').default, name: string, blocks: Buffer[]) {
  const core = store.get({ name })
  await core.ready()
  if (blocks.length > 0) await core.append(blocks)
  return core
}

describe('what the home node refuses', () => {
  it('keeps and serves nothing for strangers, and a contact gets only the logs it was granted', async () => {
    const box = await f.box()
    const alice = await f.device()
    const owner = await f.paired(box, alice)
    const forBob = await ownLog(alice.store, 'out/bob', [Buffer.from('x')])
    const forCarol = await ownLog(alice.store, 'out/carol', [Buffer.from('y')])
    await owner.keep(forBob)
    await owner.keep(forCarol)

    const stranger = await f.client(box.publicKey, HyperDHT.keyPair())
    const strangersLog = await ownLog((await f.device()).store, 'mine', [Buffer.from('z')])
    await expect(stranger.raw({ op: 'keep', logKey: strangersLog.key! })).rejects.toMatchObject({ code: 'not-paired' })
    await expect(stranger.raw({ op: 'want', logKey: forBob.key! })).rejects.toMatchObject({ code: 'not-paired' })
    await expect(stranger.raw({ op: 'status' })).rejects.toMatchObject({ code: 'not-paired' })
    expect((await box.status()).profiles.map((p) => p.logs)).toEqual([2])

    const bob = HyperDHT.keyPair()
    await owner.grant(bob.publicKey, [forBob.key!])
    const guest = await f.client(box.publicKey, bob)
    await expect(guest.raw({ op: 'want', logKey: forCarol.key! })).rejects.toMatchObject({ code: 'not-granted' })
    await expect(guest.raw({ op: 'keep', logKey: forCarol.key! })).rejects.toMatchObject({ code: 'not-paired' })
    await guest.raw({ op: 'want', logKey: forBob.key! })

    await expect(owner.grant(bob.publicKey, [strangersLog.key!])).rejects.toMatchObject({ code: 'not-granted' })
    await owner.ungrant(bob.publicKey)
    await expect(guest.raw({ op: 'want', logKey: forBob.key! })).rejects.toMatchObject({ code: 'not-paired' })
  })

  it('a profile over its quota: the log that would overflow is not fetched, and nothing more is kept', async () => {
    const box = await f.box()
    const seen: BoxEvent[] = []
    box.on('event', (e: BoxEvent) => seen.push(e))
    const alice = await f.device()
    const owner = await f.paired(box, alice, { quota: 1000 })

    const small = await ownLog(alice.store, 'small', [Buffer.alloc(300, 1)])
    await owner.keep(small)
    await waitFor('the small log fetched', () => seen.some((e) => e.type === 'fetched' && e.log === small.key!.toString('hex')))

    const big = await ownLog(alice.store, 'big', [Buffer.alloc(400, 2), Buffer.alloc(400, 3)])
    await owner.keep(big)
    await waitFor('the box saw the quota exceeded', () => seen.some((e) => e.type === 'over-quota'))
    const status = await owner.status()
    expect(status).toMatchObject({ quota: 1000, overQuota: true, logs: 2 })
    expect(seen.some((e) => e.type === 'fetched' && e.log === big.key!.toString('hex'))).toBe(false)

    const more = await ownLog(alice.store, 'more', [])
    await expect(owner.keep(more)).rejects.toMatchObject({ code: 'quota-exceeded' })
    expect((await owner.status()).logs).toBe(2)
  })

  it('strangers beyond the rate are refused at the handshake; paired devices still get in', async () => {
    const box = await f.box(undefined, { limits: { requestsPerMinute: 2, maxUnknownConnections: 8 } })
    const alice = await f.device()
    const owner = await f.paired(box, alice)
    await owner.close()
    await f.client(box.publicKey, HyperDHT.keyPair())
    await expect(f.client(box.publicKey, HyperDHT.keyPair())).rejects.toMatchObject({ code: 'unavailable' })
    const back = await f.client(box.publicKey, alice.linkKey(box.publicKey))
    expect((await back.status()).logs).toBe(0)
  })

  it('a malformed frame ends that connection and the box keeps serving others', async () => {
    const box = await f.box()
    const alice = await f.device()
    const owner = await f.paired(box, alice)
    const dht = (await f.net()).createNode()
    const stream = dht.connect(box.publicKey, { keyPair: HyperDHT.keyPair() })
    stream.on('error', () => undefined)
    const channel = Protomux.from(stream).createChannel({ protocol: 'cairn/home', messages: [{ encoding: c.raw }] })
    channel!.open()
    expect(await channel!.fullyOpened()).toBe(true)
    channel!.messages[0].send(Buffer.from([1, 0, 1, 250]))
    await waitFor('the rogue connection ended', () => stream.destroyed)
    expect((await owner.status()).logs).toBe(0)
  })
})

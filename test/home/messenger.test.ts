// The three scenarios' first two through the real messenger (CairnHost): the two people meet once
// (so each learns the other's log and home node inside their session), then are never online at
// the same time while a message goes from one to the other through a home node.
import { afterEach, describe, expect, it } from 'vitest'
import HyperDHT from 'hyperdht'
import { createBoxKey, encodeIntroduction, HomeBox, HomeClient, openBundle, sealRequest, type BoxEvent } from '../../core/home'
import { randomBytes } from '../../core/crypto'
import { generateIdentity } from '../../core/identity'
import { decodeContactId } from '../../core/identity'
import { inboxTopic } from '../../core/protocol/topics'
import { decodeBundle } from '../../core/ratchet'
import type { Message } from '../../core/api/types'
import { pairDevice } from '../../core/home/device'
import { Fixture, PASS, pair, waitFor, type Node } from '../helpers/core'
import { Timeline } from './helpers'
import { copyAndDump, holds } from '../core/profile-dump'
import { keys } from '../../core/store/keys'
import { bundleOf, decodeOneTimePrekey, decodePublishedOneTimePrekey, generateSignedPrekey, Session } from '../../core/ratchet'

const f = new Fixture()
const boxes: HomeBox[] = []
afterEach(async () => {
  for (const box of boxes.splice(0)) await box.close()
  await f.cleanup()
})

async function homeBox(): Promise<{ box: HomeBox; fetched: BoxEvent[] }> {
  const dir = await f.dir()
  await createBoxKey(dir)
  const box = await HomeBox.open({ dir, bootstrap: (await f.net()).bootstrap })
  boxes.push(box)
  const fetched: BoxEvent[] = []
  box.on('event', (e: BoxEvent) => e.type === 'fetched' && fetched.push(e))
  await box.listen()
  return { box, fetched }
}

async function open(dir: string): Promise<Node> {
  const node = await f.host(dir)
  await node.host.unlock(PASS)
  return node
}

/** Alice and Bob meet (both online), Alice says hello and Bob reads it: their session is under way. */
async function meet(aDir: string, bDir: string, bId: string, aId: string): Promise<void> {
  const a = await open(aDir)
  const b = await open(bDir)
  const ping = await a.host.send(bId, 'ping')
  await waitFor('Bob has the ping', () => b.of('message').some((e) => e.message.text === 'ping'))
  await b.host.markRead(aId)
  await waitFor('Alice sees it read', () => a.of('message-state').some((e) => e.id === ping.id && e.state === 'read'))
  await b.close()
  await a.close()
}

async function texts(node: Node, contact: string): Promise<string[]> {
  return (await node.host.history(contact)).messages.map((m) => m.text).reverse()
}

describe('the messenger with home nodes', () => {
  it('1. Alice writes while Bob is away and closes; Bob gets it from her home node (only Alice has one)', async () => {
    const { a, b, aId, bId } = await pair(f)
    const [aDir, bDir] = [a.dir, b.dir]
    await a.close()
    await b.close()
    const { box, fetched } = await homeBox()
    await pairDevice({ profileDir: aDir, passphrase: PASS, bootstrap: (await f.net()).bootstrap }, await box.createPairingCode())
    await meet(aDir, bDir, bId, aId)

    const alice = await open(aDir)
    await alice.host.send(bId, 'written while you were away')
    await waitFor('her home node has it', () => fetched.some((e) => e.type === 'fetched' && e.length >= 2))
    await alice.close()

    const bob = await open(bDir)
    await waitFor('Bob reads it from her home node', () => bob.of('message').some((e) => e.message.text === 'written while you were away'))
    expect(await texts(bob, aId)).toEqual(['ping', 'written while you were away'])
    expect((await bob.host.contacts())[0].presence).toBe('offline')
  })

  it('2. Bob’s home node fetches from Alice while he is away; he reads it after she closed (only Bob has one)', async () => {
    const { a, b, aId, bId } = await pair(f)
    const [aDir, bDir] = [a.dir, b.dir]
    await a.close()
    await b.close()
    const { box, fetched } = await homeBox()
    await pairDevice({ profileDir: bDir, passphrase: PASS, bootstrap: (await f.net()).bootstrap }, await box.createPairingCode())
    const bob = await open(bDir)
    await waitFor('Bob’s box keeps both logs', async () => (await box.status()).profiles[0]?.logs === 2)
    await bob.close()
    await meet(aDir, bDir, bId, aId)

    const alice = await open(aDir)
    const before = fetched.length
    const sent = await alice.host.send(bId, 'left at your home node')
    await waitFor('his home node fetched it from Alice', () => fetched.slice(before).some((e) => e.type === 'fetched' && e.length >= 2))
    await waitFor('Alice sees it delivered to his home node', () => alice.of('message-state').some((e) => e.id === sent.id && e.state === 'home'))
    expect((await alice.host.history(bId)).messages[0]).toMatchObject({ id: sent.id, state: 'home' })
    await alice.close()

    const back = await open(bDir)
    await waitFor('Bob reads it from his home node', () => back.of('message').some((e) => e.message.text === 'left at your home node'))
    expect(await texts(back, aId)).toEqual(['ping', 'left at your home node'])
    expect((await back.host.contacts())[0].presence).toBe('offline')
  })
})

describe('starting while Bob is away, through the messenger', () => {
  it('3. Carol starts with Bob while he is away: his home node serves his bundle and a one-time prekey and holds her sealed request; he accepts later and reads her first messages', async () => {
    const time = new Timeline()
    const { box } = await homeBox()
    const bobDir = await f.dir()

    time.online('bob')
    const bob = await f.host(bobDir)
    const bId = (await bob.host.create('Bob', PASS)).id
    await bob.host.linkHomeNode(await box.createPairingCode())
    await bob.close()
    time.offline('bob')
    // his profile now keeps the secrets of the one-time prekeys his box hands out, from id 1
    const before = await copyAndDump(bobDir, await f.dir(), PASS)
    const first = before.values.find(({ key }) => key.equals(keys.oneTimePrekey(1)))
    expect(first).toBeDefined()
    const firstSecret = decodeOneTimePrekey(first!.value).secretKey

    time.online('carol')
    const carol = await f.host()
    const cId = (await carol.host.create('Carol', PASS)).id
    await carol.host.addContact(bId, 'Bob')
    const texts3 = ['hello Bob, this is Carol', 'we met at the conference', 'write when you are back']
    const sent: Message[] = []
    for (const text of texts3) sent.push(await carol.host.send(bId, text))
    await waitFor('all three left on his home node', () => carol.of('message-state').some((e) => e.id === sent[2].id && e.state === 'home'), 45_000)
    expect((await carol.host.history(bId)).messages.map((m) => m.state)).toEqual(['home', 'home', 'home'])
    expect((await carol.host.contacts())[0].presence).toBe('offline')
    await carol.close()
    time.offline('carol')
    // what she left, as the box holds it (sealed): replayed below
    const [profile] = (await box.status()).profiles
    const left = await box.registry.takeRequests(profile.profile, 0)
    expect(left.length).toBeGreaterThan(0)

    time.online('bob')
    const back = await open(bobDir)
    await waitFor('the request from his home node', () => back.of('request').some((e) => e.request.id === cId))
    expect(back.of('request').find((e) => e.request.id === cId)!.request.name).toBe('Carol')
    await back.host.acceptRequest(cId)
    await waitFor('Bob reads her first messages', () => back.of('message').filter((e) => e.message.contact === cId).length >= texts3.length)
    expect(await texts(back, cId)).toEqual(texts3)
    expect(back.of('security')).toEqual([])
    expect((await back.host.contacts())[0].presence).toBe('offline')
    await back.close()
    time.offline('bob')

    expect(time.neverTogether('carol', 'bob')).toBe(true)
    // Carol's start used one-time prekey 1: its secret is gone from Bob's disk, and his box hands out the next
    const after = await copyAndDump(bobDir, await f.dir(), PASS)
    expect(after.values.some(({ key }) => key.equals(keys.oneTimePrekey(1)))).toBe(false)
    expect(after.values.some(({ key }) => key.equals(keys.oneTimePrekey(2)))).toBe(true)
    expect(holds(after, firstSecret)).toBe(false)
    const stranger = await HomeClient.connect(box.publicKey, { keyPair: HyperDHT.keyPair(), bootstrap: (await f.net()).bootstrap })
    const served = await stranger.bundle(inboxTopic(decodeContactId(bId)))
    expect(decodePublishedOneTimePrekey(served.oneTime!, decodeContactId(bId)).id).toBe(2)
    await stranger.close()
    const again = await open(bobDir)
    expect(await texts(again, cId)).toEqual(texts3)

    // A replay of her introduction once Bob no longer has her as a contact: its first envelope names
    // the one-time prekey it used up, so it opens nothing and no request appears.
    await again.host.removeContact(PASS, cId)
    const replayer = await HomeClient.connect(box.publicKey, { keyPair: HyperDHT.keyPair(), bootstrap: (await f.net()).bootstrap })
    for (const { sealed } of left) await replayer.deposit(inboxTopic(decodeContactId(bId)), sealed)
    await replayer.close()
    await waitFor('Bob’s messenger took the replay from his box', async () => (await again.host.homeNode()).requests === 0)
    expect(again.of('request')).toEqual([])
    expect(await again.host.requests()).toEqual([])
  })
})

describe('the one-time supply on my box', () => {
  it('is topped up to 20 by my messenger once fewer than 10 are left, each key handed out once', async () => {
    const { box } = await homeBox()
    const bob = await f.host()
    const bId = (await bob.host.create('Bob', PASS)).id
    await bob.host.linkHomeNode(await box.createPairingCode())
    const stranger = await HomeClient.connect(box.publicKey, { keyPair: HyperDHT.keyPair(), bootstrap: (await f.net()).bootstrap })
    const take = async (n: number) => {
      const ids: (number | null)[] = []
      for (let i = 0; i < n; i++) {
        const { oneTime } = await stranger.bundle(inboxTopic(decodeContactId(bId)))
        ids.push(oneTime === null ? null : decodePublishedOneTimePrekey(oneTime, decodeContactId(bId)).id)
      }
      return ids
    }
    expect(await take(11)).toEqual(Array.from({ length: 11 }, (_, i) => i + 1))
    const [{ profile }] = (await box.status()).profiles
    await waitFor('topped up to 20', async () => {
      await bob.host.homeNode()
      return (await box.registry.supply(profile, [])) === 20
    })
    // the nine left first, then the new ones; none twice
    expect(await take(20)).toEqual(Array.from({ length: 20 }, (_, i) => i + 12))
    await stranger.close()
  })
})

describe('introductions that are not what they claim', () => {
  it('garbage, a request sealed to someone else and an introduction whose envelope does not open are dropped; Bob keeps working', async () => {
    const { box } = await homeBox()
    const bob = await f.host()
    const bId = (await bob.host.create('Bob', PASS)).id
    await bob.host.linkHomeNode(await box.createPairingCode())
    const bobKey = decodeContactId(bId)
    const mallory = generateIdentity()
    // a real start, made for someone else's prekey 1: it names a prekey id Bob has, and opens nothing of his
    const victim = generateIdentity()
    const forged = encodeIntroduction({
      identity: mallory.publicKey,
      name: 'Carol',
      logKey: randomBytes(32),
      home: null,
      from: 0,
      envelopes: [Session.initiate(mallory, victim.publicKey, bundleOf(victim, generateSignedPrekey(victim, 1))).encrypt(Buffer.from('x'))]
    })
    const stranger = await HomeClient.connect(box.publicKey, { keyPair: HyperDHT.keyPair(), bootstrap: (await f.net()).bootstrap })
    const inbox = inboxTopic(bobKey)
    await stranger.deposit(inbox, randomBytes(300))
    await stranger.deposit(inbox, sealRequest(mallory.publicKey, forged))
    await stranger.deposit(inbox, sealRequest(bobKey, Buffer.from('not an introduction')))
    await stranger.deposit(inbox, sealRequest(bobKey, forged))
    await stranger.close()
    await waitFor('Bob took all four from his box', async () => (await bob.host.homeNode()).requests === 0)
    expect(await bob.host.requests()).toEqual([])
    expect(bob.of('request')).toEqual([])
    expect((await bob.host.homeNode()).online).toBe(true)
  })
})

describe('Settings → Home node through the API', () => {
  it('links with a code, reports status, refuses a forged code, and unlinks', async () => {
    const { a, aId, bId } = await pair(f)
    const { box } = await homeBox()
    expect(await a.host.homeNode()).toMatchObject({ linked: false, online: false, box: null })
    const code = await box.createPairingCode({ quota: 5_000_000 })
    const forged = code.slice(0, -8) + (code.slice(-8, -7) === 'y' ? 'b' : 'y') + code.slice(-7)
    await expect(a.host.linkHomeNode(forged)).rejects.toMatchObject({ code: 'home-node' })
    const linked = await a.host.linkHomeNode(code)
    expect(linked).toMatchObject({ linked: true, online: true, box: box.publicKey.toString('hex'), quota: 5_000_000 })
    await a.host.send(bId, 'kept at home')
    await waitFor('the box keeps both logs and holds my message', async () => {
      const s = await a.host.homeNode()
      return s.logs === 2 && s.bytes > 0
    })
    const stranger = await HomeClient.connect(box.publicKey, { keyPair: HyperDHT.keyPair(), bootstrap: (await f.net()).bootstrap })
    const served = await stranger.bundle(inboxTopic(decodeContactId(aId)))
    expect(decodeBundle(openBundle(decodeContactId(aId), served.bundle), decodeContactId(aId)).prekeyId).toBeGreaterThan(0)
    await stranger.close()
    await a.host.unlinkHomeNode()
    expect(await a.host.homeNode()).toMatchObject({ linked: false })
    expect((await box.status()).profiles).toEqual([])
  })
})

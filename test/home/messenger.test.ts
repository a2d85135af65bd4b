// The three scenarios' first two through the real messenger (CairnHost): the two people meet once
// (so each learns the other's log and home node inside their session), then are never online at
// the same time while a message goes from one to the other through a home node.
import { afterEach, describe, expect, it } from 'vitest'
import HyperDHT from 'hyperdht'
import { createBoxKey, HomeBox, HomeClient, openBundle, type BoxEvent } from '../../core/home'
import { decodeContactId } from '../../core/identity'
import { inboxTopic } from '../../core/protocol/topics'
import { decodeBundle } from '../../core/ratchet'
import { pairDevice } from '../../core/home/device'
import { Fixture, PASS, pair, waitFor, type Node } from '../helpers/core'

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

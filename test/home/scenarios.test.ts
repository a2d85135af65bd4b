// The three scenarios at the level of the home node: two people's "apps" (an identity, a
// corestore of logs and a connection) that are never online at the same time — asserted from the
// intervals each was online — with real ratchet sessions, real Hypercores and boxes on a loopback
// testnet. What each knew from an earlier session (the other's identity, log key, box key) is given.
import type { IdentityKeyPair } from '../../core/identity'
import type { SignedPrekey } from '../../core/ratchet'
import { afterEach, describe, expect, it } from 'vitest'
import HyperDHT from 'hyperdht'
import type Hypercore from 'hypercore'
import { cryptoReady } from '../../core/crypto'
import {
  decodeIntroduction,
  encodeIntroduction,
  HomeClient,
  openBundle,
  openRequest,
  sealBundle,
  sealRequest,
  visitingKeyPair,
  visitorKey,
  type BoxEvent,
  type HomeBox
} from '../../core/home'
import { inboxTopic } from '../../core/protocol/topics'
import {
  bundleOf,
  decodeBundle,
  decodePublishedOneTimePrekey,
  encodeBundle,
  encodePublishedOneTimePrekey,
  generateOneTimePrekeys,
  generateSignedPrekey,
  publishOneTimePrekey,
  RatchetError,
  Session,
  type OneTimePrekey
} from '../../core/ratchet'
import { HomeFixture, Timeline, waitFor, type Device } from './helpers'

// Sessions start only from a signed prekey: each identity publishes one, and reads with it.
const signedPrekeys = new Map<string, SignedPrekey>()
function prekeyOf(identity: IdentityKeyPair): SignedPrekey {
  const hex = identity.publicKey.toString('hex')
  let prekey = signedPrekeys.get(hex)
  if (prekey === undefined) {
    prekey = generateSignedPrekey(identity, 1)
    signedPrekeys.set(hex, prekey)
  }
  return prekey
}


const f = new HomeFixture()
afterEach(() => f.cleanup())

async function readAll(core: Hypercore, count: number): Promise<Buffer[]> {
  const out: Buffer[] = []
  for (let i = 0; i < count; i++) out.push((await core.get(i, { timeout: 20_000 }))!)
  return out
}

function decryptAll(me: Device, them: Buffer, envelopes: Buffer[]): string[] {
  const first = Session.respond(me.identity, them, envelopes[0], (id) => (id === 1 ? prekeyOf(me.identity) : null))
  return [first.plaintext.toString(), ...envelopes.slice(1).map((e) => first.session.decrypt(e).toString())]
}

function fetched(box: HomeBox, length: number): () => boolean {
  const seen: BoxEvent[] = []
  box.on('event', (e: BoxEvent) => seen.push(e))
  return () => seen.some((e) => e.type === 'fetched' && e.length >= length)
}

describe('messages between people who are never online at the same time', () => {
  it('1. sending while the recipient is away: Bob gets Alice’s messages from her home node after she closed (only Alice has one)', async () => {
    await cryptoReady()
    const time = new Timeline()
    const boxA = await f.box()
    const alice = await f.device()
    const bob = await f.device()
    const texts = ['one', 'two', 'three']

    time.online('alice')
    const owner = await f.paired(boxA, alice)
    const log = alice.store.get({ name: 'out/bob' })
    await log.ready()
    const session = Session.initiate(alice.identity, bob.identity.publicKey, bundleOf(bob.identity, prekeyOf(bob.identity)))
    await owner.keep(log)
    await owner.grant(visitorKey(alice.identity, bob.identity.publicKey, boxA.publicKey), [log.key!])
    const done = fetched(boxA, texts.length)
    for (const text of texts) await log.append(session.encrypt(Buffer.from(text)))
    await waitFor('Alice’s home node has all three', done)
    await owner.close()
    await alice.store.close()
    time.offline('alice')

    time.online('bob')
    const reader = bob.store.get({ key: log.key! })
    await reader.ready()
    const visit = await f.client(boxA.publicKey, visitingKeyPair(bob.identity, alice.identity.publicKey, boxA.publicKey))
    await visit.want(reader)
    expect(decryptAll(bob, alice.identity.publicKey, await readAll(reader, texts.length))).toEqual(texts)
    expect(reader.length).toBe(texts.length)
    await visit.close()
    time.offline('bob')

    expect(time.neverTogether('alice', 'bob')).toBe(true)
  })

  it('2. receiving while I am away: Bob’s home node fetches from Alice while he is offline, and he reads it after she left (only Bob has one)', async () => {
    await cryptoReady()
    const time = new Timeline()
    const boxB = await f.box()
    const alice = await f.device()
    const bob = await f.device()
    const log = alice.store.get({ name: 'out/bob' })
    await log.ready()

    time.online('bob')
    const owner = await f.paired(boxB, bob)
    const theirs = bob.store.get({ key: log.key! })
    await theirs.ready()
    await owner.keep(theirs)
    await owner.grant(visitorKey(bob.identity, alice.identity.publicKey, boxB.publicKey), [log.key!])
    await owner.close()
    time.offline('bob')

    time.online('alice')
    const texts = ['while', 'you', 'were', 'out']
    const session = Session.initiate(alice.identity, bob.identity.publicKey, bundleOf(bob.identity, prekeyOf(bob.identity)))
    for (const text of texts) await log.append(session.encrypt(Buffer.from(text)))
    const visit = await f.client(boxB.publicKey, visitingKeyPair(alice.identity, bob.identity.publicKey, boxB.publicKey))
    await visit.want(log)
    const box = () => log.peers.find((p) => p.remotePublicKey.equals(boxB.publicKey))
    await waitFor('delivered to Bob’s home node', () => (box()?.remoteContiguousLength ?? 0) >= texts.length)
    await visit.close()
    await alice.store.close()
    time.offline('alice')

    time.online('bob')
    const back = await f.client(boxB.publicKey, bob.linkKey(boxB.publicKey))
    await back.want(theirs)
    expect(decryptAll(bob, alice.identity.publicKey, await readAll(theirs, texts.length))).toEqual(texts)
    await back.close()
    time.offline('bob')

    expect(time.neverTogether('alice', 'bob')).toBe(true)
  })

  it('3. starting while I am away: a new contact finds Bob’s box by his inbox, starts from his published bundle and one-time prekey, and leaves a request he reads later', async () => {
    await cryptoReady()
    const time = new Timeline()
    const boxB = await f.box()
    const bob = await f.device()
    const carol = await f.device()
    const prekey = generateSignedPrekey(bob.identity, 7)
    const oneTime = new Map<number, OneTimePrekey>(generateOneTimePrekeys(1, 3).map((k) => [k.id, k]))

    time.online('bob')
    const owner = await f.paired(boxB, bob)
    const bundle = sealBundle(bob.identity.publicKey, encodeBundle(bundleOf(bob.identity, prekey)))
    await owner.publish(inboxTopic(bob.identity.publicKey), bundle, [])
    const published = [...oneTime.values()].map((k) => encodePublishedOneTimePrekey(publishOneTimePrekey(bob.identity, k)))
    expect(await owner.supply(published)).toBe(3)
    await owner.close()
    time.offline('bob')

    time.online('carol')
    const dht = new HyperDHT({ bootstrap: (await f.net()).bootstrap, host: '127.0.0.1' })
    const found: Buffer[] = []
    for await (const reply of dht.lookup(inboxTopic(bob.identity.publicKey))) for (const peer of reply.peers) found.push(peer.publicKey)
    expect(found.some((k) => k.equals(boxB.publicKey))).toBe(true)
    const stranger = await HomeClient.connect(boxB.publicKey, { keyPair: HyperDHT.keyPair(), dht })
    const served = await stranger.bundle(inboxTopic(bob.identity.publicKey))
    const otk = decodePublishedOneTimePrekey(served.oneTime!, bob.identity.publicKey)
    expect(otk.id).toBe(1)
    const theirBundle = decodeBundle(openBundle(bob.identity.publicKey, served.bundle), bob.identity.publicKey)
    const session = Session.initiate(carol.identity, bob.identity.publicKey, theirBundle, otk)
    const envelopes = ['hello Bob, this is Carol', 'second'].map((t) => session.encrypt(Buffer.from(t)))
    const log = carol.store.get({ name: 'out/bob' })
    await log.ready()
    await log.append(envelopes)
    const intro = encodeIntroduction({ identity: carol.identity.publicKey, name: 'Carol', logKey: log.key!, home: null, from: 0, envelopes })
    await stranger.deposit(inboxTopic(bob.identity.publicKey), sealRequest(bob.identity.publicKey, intro))
    await stranger.close()
    await dht.destroy()
    await carol.store.close()
    time.offline('carol')

    time.online('bob')
    const back = await f.client(boxB.publicKey, bob.linkKey(boxB.publicKey))
    const [item, ...more] = await back.requests(0)
    expect(more).toEqual([])
    const got = decodeIntroduction(openRequest(bob.identity, item.sealed))
    expect(got).toMatchObject({ name: 'Carol', home: null })
    expect(got.identity.equals(carol.identity.publicKey)).toBe(true)
    const opened = Session.respond(bob.identity, got.identity, got.envelopes[0], (id) => (id === prekey.id ? prekey : null), (id) => oneTime.get(id) ?? null)
    oneTime.delete(1)
    expect(opened.plaintext.toString()).toBe('hello Bob, this is Carol')
    expect(opened.session.decrypt(got.envelopes[1]).toString()).toBe('second')
    expect(() => Session.respond(bob.identity, got.identity, got.envelopes[0], () => prekey, (id) => oneTime.get(id) ?? null)).toThrow(RatchetError)
    expect((await back.supply([])), 'two one-time prekeys left on the box').toBe(2)
    expect(await back.requests(item.seq)).toEqual([])
    await back.close()
    time.offline('bob')

    expect(time.neverTogether('carol', 'bob')).toBe(true)
  })
})

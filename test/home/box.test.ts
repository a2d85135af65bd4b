import type { IdentityKeyPair } from '../../core/identity'
import type { SignedPrekey } from '../../core/ratchet'
import { afterEach, describe, expect, it } from 'vitest'
import HyperDHT from 'hyperdht'
import { cryptoReady } from '../../core/crypto'
import { encodeContactId } from '../../core/identity'
import { HomeBox, decodePairingCode, type BoxEvent } from '../../core/home'
import { Session, bundleOf, generateSignedPrekey } from '../../core/ratchet'
import { diskBytes, HomeFixture, waitFor } from './helpers'

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

function events(box: HomeBox): BoxEvent[] {
  const seen: BoxEvent[] = []
  box.on('event', (e: BoxEvent) => seen.push(e))
  return seen
}

describe('home node', () => {
  it("Alice's log reaches Bob through Alice's home node while Alice is closed; the box's disk holds no text, name or contact ID", async () => {
    await cryptoReady()
    const box = await f.box()
    const seen = events(box)
    const alice = await f.device()
    const bob = await f.device()
    const texts = ['HOME-SECRET-one', 'HOME-SECRET-two', 'HOME-SECRET-three']

    const owner = await f.paired(box, alice)
    const log = alice.store.get({ name: 'out/for-bob' })
    await log.ready()
    const session = Session.initiate(alice.identity, bob.identity.publicKey, bundleOf(bob.identity, prekeyOf(bob.identity)))
    for (const text of texts) await log.append(session.encrypt(Buffer.from(text)))
    await owner.keep(log)
    const bobGuest = HyperDHT.keyPair()
    await owner.grant(bobGuest.publicKey, [log.key!])
    await waitFor('the box fetched all three', () => seen.some((e) => e.type === 'fetched' && e.length === 3))

    await owner.close()
    await alice.store.close()
    await waitFor('Alice is gone from the box', async () => (await box.status()).connections === 0)

    const reader = bob.store.get({ key: log.key! })
    await reader.ready()
    const guest = await f.client(box.publicKey, bobGuest)
    await guest.want(reader)
    const first = await reader.get(0, { timeout: 20_000 })
    const opened = Session.respond(bob.identity, alice.identity.publicKey, first!, (id) => (id === 1 ? prekeyOf(bob.identity) : null))
    const got = [opened.plaintext.toString()]
    for (let i = 1; i < texts.length; i++) got.push(opened.session.decrypt((await reader.get(i, { timeout: 20_000 }))!).toString())
    expect(got).toEqual(texts)
    expect((await box.status()).connections).toBe(1)

    await guest.close()
    const dir = box.dir
    await box.close()
    const disk = await diskBytes(dir)
    expect(disk.length).toBeGreaterThan(0)
    const needles = [
      ...texts.map((t) => Buffer.from(t)),
      ...[alice, bob].flatMap(({ identity }) => [
        identity.publicKey,
        Buffer.from(identity.publicKey.toString('hex')),
        Buffer.from(encodeContactId(identity.publicKey))
      ])
    ]
    for (const needle of needles) expect(disk.includes(needle)).toBe(false)
  })

  it('pairs once per code; a forged code, a used code and a revoked device are refused with clear errors', async () => {
    const box = await f.box()
    const alice = await f.device()
    const codeText = await box.createPairingCode()
    const code = decodePairingCode(codeText)

    const forger = await f.client(box.publicKey, HyperDHT.keyPair())
    await expect(forger.pair({ ...code, secret: Buffer.alloc(16, 7) })).rejects.toMatchObject({ code: 'bad-pairing-code' })

    const device = await f.client(box.publicKey, alice.linkKey(box.publicKey))
    const paired = await device.pair(code)
    expect(paired.profile.length).toBe(16)
    const again = await f.client(box.publicKey, HyperDHT.keyPair())
    await expect(again.pair(code)).rejects.toMatchObject({ code: 'bad-pairing-code' })

    expect((await device.status()).logs).toBe(0)
    await device.unlink()
    await waitFor('the box dropped the unlinked device', async () => (await box.status()).connections <= 2)
    const back = await f.client(box.publicKey, alice.linkKey(box.publicKey))
    await expect(back.status()).rejects.toMatchObject({ code: 'revoked' })
    await expect(back.pair(decodePairingCode(await box.createPairingCode()))).rejects.toMatchObject({ code: 'revoked' })
    expect((await box.status()).profiles).toEqual([])
  })
})

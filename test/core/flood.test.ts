import { afterEach, describe, expect, it } from 'vitest'
import { randomBytes } from '../../core/crypto'
import { decodeContactId, type IdentityKeyPair } from '../../core/identity'
import type { Network } from '../../core/net'
import { encodePayload } from '../../core/protocol/payload'
import { decodeBundle, MAX_SKIP, Session } from '../../core/ratchet'
import { Fixture, folderBytes, pair, PASS, peerOf, waitFor } from '../helpers/core'
import { messengerOf, ownLog, ownLogKey } from '../helpers/tamper'

const FLOOD_MS = 60_000
/** What a minute of the mixed flood may add to the victim's profile (README, "Limits"). */
const GROWTH_BOUND = 8 * 1024 * 1024

type Inner = {
  network: Network
  self: { identity: IdentityKeyPair; bundle(): Buffer }
  directory: { require(id: string): { record: { bundle: string | null } } }
}

const f = new Fixture()
afterEach(() => f.cleanup())

describe('a hostile contact flooding for a minute', () => {
  it('grows the victim by a bounded amount while another contact chats with it, in order, nothing lost', async () => {
    const { a, b: bob, aId, bId } = await pair(f)
    const carol = await f.host()
    const cId = (await carol.host.create('Carol', PASS)).id
    await a.host.addContact(cId, 'Carol')
    await carol.host.addContact(aId, 'Alice')
    await waitFor('A and C connected', async () => (await carol.host.contacts())[0]?.presence !== 'offline')
    const alice = messengerOf(a.host) as unknown as Inner
    const hostile = messengerOf(bob.host) as unknown as Inner
    const aliceKey = decodeContactId(aId)
    const session = Session.initiate(hostile.self.identity, aliceKey, decodeBundle(Buffer.from(hostile.directory.require(aId).record.bundle!, 'hex'), aliceKey))
    const log = ownLog(messengerOf(bob.host), aId)
    const logKey = ownLogKey(bob.host, aId)
    const bundle = hostile.self.bundle()
    const text = (n: number) => encodePayload({ kind: 'text', text: `skip ${n}`, sentAt: Date.now() })
    await log.append(session.encrypt(text(0)))
    await waitFor('the hostile session adopted', () => a.of('message').some((e) => e.message.contact === bId))

    const before = await folderBytes(a.dir)
    const started = Date.now()
    const sent = { frames: 0, oversize: 0, skipping: 0 }
    let tick = 0
    // Every 100 ms: 50 control frames of every kind, an envelope that skips MAX_SKIP keys, and every
    // 10th tick a block over the envelope cap.
    const flood = (async () => {
      while (Date.now() - started < FLOOD_MS) {
        const link = peerOf(bob, aId)
        for (let i = 0; link !== null && i < 10; i++) {
          link.send({ type: 'prekeys', bundle })
          link.send({ type: 'hello', name: 'Bob', logKey, bundle })
          link.send({ type: 'typing', typing: i % 2 === 0 })
          link.send({ type: 'receipt', kind: 'delivered', upTo: 0 })
          link.send({ type: 'home', box: randomBytes(32) })
          sent.frames += 5
        }
        for (let i = 0; i < MAX_SKIP; i++) session.encrypt(text(-1))
        const blocks = [session.encrypt(text(++sent.skipping))]
        if (tick++ % 10 === 0) {
          blocks.push(randomBytes(100_000))
          sent.oversize++
        }
        await log.append(blocks)
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    })()

    // Carol and Alice chat all the while, one message each way every half second.
    let chatted = 0
    while (Date.now() - started < FLOOD_MS) {
      chatted++
      await carol.host.send(aId, `carol ${chatted}`)
      await a.host.send(cId, `alice ${chatted}`)
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
    await flood
    const arrived = (node: typeof a, prefix: string) => node.of('message').filter((e) => e.message.text.startsWith(prefix)).map((e) => e.message.text)
    const expected = (prefix: string) => Array.from({ length: chatted }, (_, i) => `${prefix} ${i + 1}`)
    await waitFor("the last of Carol's messages", () => arrived(a, 'carol').length >= chatted, 30_000)
    await waitFor("the last of Alice's messages", () => arrived(carol, 'alice').length >= chatted, 30_000)
    const grown = (await folderBytes(a.dir)) - before
    const dropped = alice.network.droppedFrames(decodeContactId(bId))
    console.log(
      `mixed flood, ${FLOOD_MS / 1000} s: ${sent.frames} control frames (${dropped} dropped), ${sent.skipping} envelopes skipping ${MAX_SKIP} keys, ` +
        `${sent.oversize} blocks of 100 KB; the victim's profile grew by ${(grown / 1024 / 1024).toFixed(2)} MB (bound ${GROWTH_BOUND / 1024 / 1024} MB); ` +
        `${chatted} messages each way with another contact, all in order`
    )
    expect(arrived(a, 'carol')).toEqual(expected('carol'))
    expect(arrived(carol, 'alice')).toEqual(expected('alice'))
    const history = (await a.host.history(cId, { limit: 500 })).messages.reverse()
    expect(history.filter((m) => m.direction === 'in').map((m) => m.text)).toEqual(expected('carol'))
    expect(history.filter((m) => m.direction === 'out').map((m) => m.text)).toEqual(expected('alice'))
    expect(grown).toBeLessThan(GROWTH_BOUND)
    expect(dropped).toBeGreaterThan(sent.frames / 2)
    const kinds = new Set(a.of('security').filter((e) => e.event.contact === bId).map((e) => e.event.kind))
    expect(kinds).toEqual(new Set(['protocol-violation', 'decrypt-failed']))
  }, 180_000)
})

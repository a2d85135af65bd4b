import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { cryptoReady, randomBytes } from '../../core/crypto'
import { generateIdentity } from '../../core/identity'
import {
  RatchetError,
  Session,
  bundleOf,
  decodeOneTimePrekey,
  decodePublishedOneTimePrekey,
  encodeOneTimePrekey,
  encodePublishedOneTimePrekey,
  generateOneTimePrekeys,
  generateSignedPrekey,
  inspectEnvelope,
  publishOneTimePrekey,
  type OneTimePrekey
} from '../../core/ratchet'

beforeAll(() => cryptoReady())

const code = (fn: () => unknown) => {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(RatchetError)
    return (err as RatchetError).code
  }
  throw new Error('expected a RatchetError')
}

/** Bob's one-time prekeys as the messenger keeps them: taken (deleted) once a session they started is committed. */
class Supply {
  private readonly keys = new Map<number, OneTimePrekey>()
  constructor(list: OneTimePrekey[]) {
    for (const k of list) this.keys.set(k.id, k)
  }
  get = (id: number) => this.keys.get(id) ?? null
  consume(id: number): void {
    this.keys.get(id)?.secretKey.fill(0)
    this.keys.delete(id)
  }
}

describe('one-time prekeys', () => {
  const alice = generateIdentity()
  const bob = generateIdentity()
  const spk = generateSignedPrekey(bob, 3)
  const bundle = bundleOf(bob, spk)

  it('round-trip through their local and published encodings; a published one verifies only for its identity', () => {
    const [k] = generateOneTimePrekeys(9, 1)
    expect(decodeOneTimePrekey(encodeOneTimePrekey(k))).toEqual(k)
    const published = encodePublishedOneTimePrekey(publishOneTimePrekey(bob, k))
    expect(published.byteLength).toBe(101)
    expect(decodePublishedOneTimePrekey(published, bob.publicKey)).toMatchObject({ id: 9, publicKey: k.publicKey })
    expect(code(() => decodePublishedOneTimePrekey(published, alice.publicKey))).toBe('bad-signature')
    const relabelled = Buffer.from(published)
    relabelled.writeUInt32LE(10, 1)
    expect(code(() => decodePublishedOneTimePrekey(relabelled, bob.publicKey))).toBe('bad-signature')
    expect(code(() => decodePublishedOneTimePrekey(published.subarray(0, 100), bob.publicKey))).toBe('malformed')
    expect(code(() => generateOneTimePrekeys(0, 1))).toBe('malformed')
    const mismatched = encodeOneTimePrekey({ ...k, publicKey: generateOneTimePrekeys(1, 1)[0].publicKey })
    expect(code(() => decodeOneTimePrekey(mismatched))).toBe('malformed')
  })

  it('a session started with one opens once; the replayed first envelope is refused after the key is consumed', () => {
    const supply = new Supply(generateOneTimePrekeys(1, 5))
    const otk = decodePublishedOneTimePrekey(encodePublishedOneTimePrekey(publishOneTimePrekey(bob, { ...supply.get(4)! })), bob.publicKey)
    const a = Session.initiate(alice, bob.publicKey, bundle, otk)
    const first = a.encrypt(Buffer.from('first'))
    const second = a.encrypt(Buffer.from('second'))
    expect(inspectEnvelope(first).initial).toBe(true)
    expect(first.byteLength).toBe(a.encrypt(Buffer.from('third')).byteLength)

    const { session: b, plaintext } = Session.respond(bob, alice.publicKey, first, () => spk, supply.get)
    expect(plaintext.toString()).toBe('first')
    supply.consume(4)
    expect(b.decrypt(second).toString()).toBe('second')
    // the replay, and every later envelope still carrying the start header, cannot start a session again
    expect(code(() => Session.respond(bob, alice.publicKey, first, () => spk, supply.get))).toBe('unknown-prekey')
    expect(code(() => Session.respond(bob, alice.publicKey, second, () => spk, supply.get))).toBe('unknown-prekey')
    // ...and the live session refuses it as a duplicate
    expect(code(() => b.decrypt(first))).toBe('duplicate')
    const reply = b.encrypt(Buffer.from('reply'))
    expect(a.decrypt(reply).toString()).toBe('reply')
    expect(a.awaitingReply).toBe(false)
  })

  it('without the one-time prekey secret, or with another one, the start does not open', () => {
    const [k, other] = generateOneTimePrekeys(1, 2)
    const a = Session.initiate(alice, bob.publicKey, bundle, publishOneTimePrekey(bob, k))
    const first = a.encrypt(Buffer.from('x'))
    expect(code(() => Session.respond(bob, alice.publicKey, first, () => spk))).toBe('unknown-prekey')
    expect(code(() => Session.respond(bob, alice.publicKey, first, () => spk, () => ({ ...other, id: 1 })))).toBe('auth-failed')
  })

  it('an initiator refuses a one-time prekey not signed by the contact', () => {
    const [k] = generateOneTimePrekeys(1, 1)
    const forged = publishOneTimePrekey(alice, k)
    expect(code(() => Session.initiate(alice, bob.publicKey, bundle, forged))).toBe('bad-signature')
  })

  it('the state of a session awaiting a reply keeps the one-time prekey id across encode/decode', () => {
    const supply = new Supply(generateOneTimePrekeys(77, 1))
    const a = Session.decode(Session.initiate(alice, bob.publicKey, bundle, publishOneTimePrekey(bob, supply.get(77)!)).encode())
    const first = a.encrypt(Buffer.from('after a restart'))
    expect(Session.decode(a.encode()).encode()).toEqual(a.encode())
    expect(Session.respond(bob, alice.publicKey, first, () => spk, supply.get).plaintext.toString()).toBe('after a restart')
  })

  it('property: any message order after a one-time start reads every message once, and any replay is refused', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 40 }), { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 1000 }), (texts, id) => {
        const supply = new Supply(generateOneTimePrekeys(id, 1))
        const a = Session.initiate(alice, bob.publicKey, bundle, publishOneTimePrekey(bob, supply.get(id)!))
        const envelopes = texts.map((t) => a.encrypt(Buffer.from(t)))
        const { session: b, plaintext } = Session.respond(bob, alice.publicKey, envelopes[0], () => spk, supply.get)
        supply.consume(id)
        const read = [plaintext.toString(), ...envelopes.slice(1).map((e) => b.decrypt(e).toString())]
        expect(read).toEqual(texts)
        for (const e of envelopes) {
          expect(code(() => b.decrypt(e))).toBe('duplicate')
          expect(code(() => Session.respond(bob, alice.publicKey, e, () => spk, supply.get))).toBe('unknown-prekey')
        }
      }),
      { numRuns: 25 }
    )
  })

  it('a tampered one-time prekey id in the header does not authenticate', () => {
    const supply = new Supply(generateOneTimePrekeys(1, 2))
    const a = Session.initiate(alice, bob.publicKey, bundle, publishOneTimePrekey(bob, supply.get(1)!))
    const first = Buffer.from(a.encrypt(randomBytes(10)))
    first.writeUInt32LE(2, 2 + 16 + 32 + 4)
    expect(code(() => Session.respond(bob, alice.publicKey, first, () => spk, supply.get))).toBe('auth-failed')
  })
})

import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { cryptoReady, useCryptoBackend } from '../../core/crypto'
import { generateIdentity } from '../../core/identity'
import {
  MAX_SKIP,
  MAX_STORED_SKIPPED,
  RatchetError,
  Session,
  bundleOf,
  generateSignedPrekey,
  inspectEnvelope
} from '../../core/ratchet'
import { decodeEnvelope } from '../../core/ratchet/envelope'
import { decodeState, type RatchetState } from '../../core/ratchet/state'
import { expectRejected, startPair } from '../helpers/crypto'

beforeAll(() => cryptoReady())

const text = (s: string) => Buffer.from(s)

type Action =
  | { kind: 'send'; from: 0 | 1 }
  | { kind: 'deliver'; to: 0 | 1; pick: number }
  | { kind: 'drop'; to: 0 | 1; pick: number }
  | { kind: 'replay'; to: 0 | 1; pick: number }
  | { kind: 'restore'; who: 0 | 1 }

const side = fc.constantFrom<0 | 1>(0, 1)
const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('send' as const), from: side }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('deliver' as const), to: side, pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), to: side, pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('replay' as const), to: side, pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('restore' as const), who: side }) }
)

describe('Double Ratchet sessions', () => {
  it('delivers every message once, in any order, with drops, replays and restarts (randomised)', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(action, { minLength: 1, maxLength: 60 }), (withBundle, actions) => {
        const pair = startPair(withBundle)
        const sessions = [pair.a, pair.b]
        // inFlight[to]: envelopes on their way to party `to`; delivered[to]: ones it already read.
        const inFlight: { envelope: Buffer; plaintext: string }[][] = [[], []]
        const delivered: Buffer[][] = [[], []]
        let counter = 0
        for (const act of actions) {
          if (act.kind === 'send') {
            const plaintext = `m${counter++} from ${act.from}`
            inFlight[1 - act.from].push({ envelope: sessions[act.from].encrypt(text(plaintext)), plaintext })
          } else if (act.kind === 'deliver' || act.kind === 'drop') {
            const queue = inFlight[act.to]
            if (queue.length === 0) continue
            const [msg] = queue.splice(act.pick % queue.length, 1)
            if (act.kind === 'drop') continue
            expect(sessions[act.to].decrypt(msg.envelope).toString()).toBe(msg.plaintext)
            delivered[act.to].push(msg.envelope)
          } else if (act.kind === 'replay') {
            const seen = delivered[act.to]
            if (seen.length === 0) continue
            expectRejected(sessions[act.to], () => sessions[act.to].decrypt(seen[act.pick % seen.length]), 'duplicate')
          } else {
            sessions[act.who] = Session.decode(sessions[act.who].encode())
          }
        }
        for (const to of [0, 1] as const) {
          for (const msg of inFlight[to]) expect(sessions[to].decrypt(msg.envelope).toString()).toBe(msg.plaintext)
        }
      }),
      { numRuns: 150 }
    )
  })

  it('ping-pong: every reply carries a fresh ratchet key', () => {
    const { a, b } = startPair()
    const keys = new Set<string>()
    let [from, to] = [b, a]
    for (let i = 0; i < 20; i++) {
      const env = from.encrypt(text(`turn ${i}`))
      keys.add(decodeEnvelope(env).dh.toString('hex'))
      expect(to.decrypt(env).toString()).toBe(`turn ${i}`)
      ;[from, to] = [to, from]
    }
    expect(keys.size).toBe(20)
  })

  it('static-static start (no bundle) works in both directions and marks prekey id 0', () => {
    const { a, b } = startPair(false)
    const env = b.encrypt(text('back'))
    expect(a.decrypt(env).toString()).toBe('back')
    expect(b.decrypt(a.encrypt(text('again'))).toString()).toBe('again')
  })

  it('initial envelopes repeat the start header until the first reply, and either can open the session', () => {
    const alice = generateIdentity()
    const bob = generateIdentity()
    const prekey = generateSignedPrekey(bob, 9)
    const a = Session.initiate(alice, bob.publicKey, bundleOf(bob, prekey))
    const e0 = a.encrypt(text('zero'))
    const e1 = a.encrypt(text('one'))
    expect(inspectEnvelope(e0)).toEqual({ sessionId: a.id, initial: true })
    expect(a.awaitingReply).toBe(true)
    const { session: b, plaintext } = Session.respond(bob, alice.publicKey, e1, (id) => (id === 9 ? prekey : null))
    expect(plaintext.toString()).toBe('one')
    expect(b.id.equals(a.id)).toBe(true)
    expect(b.decrypt(e0).toString()).toBe('zero')
    expect(a.decrypt(b.encrypt(text('reply'))).toString()).toBe('reply')
    expect(a.awaitingReply).toBe(false)
    expect(inspectEnvelope(a.encrypt(text('later'))).initial).toBe(false)
  })

  it('both sides initiating at once yields two distinct sessions, told apart by id', () => {
    const alice = generateIdentity()
    const bob = generateIdentity()
    const ab = Session.initiate(alice, bob.publicKey, null)
    const ba = Session.initiate(bob, alice.publicKey, null)
    expect(ab.id.equals(ba.id)).toBe(false)
    const fromAlice = ab.encrypt(text('hi bob'))
    const fromBob = ba.encrypt(text('hi alice'))
    const atBob = Session.respond(bob, alice.publicKey, fromAlice, () => null)
    const atAlice = Session.respond(alice, bob.publicKey, fromBob, () => null)
    expect(atBob.plaintext.toString()).toBe('hi bob')
    expect(atAlice.plaintext.toString()).toBe('hi alice')
    expectRejected(ab, () => ab.decrypt(ba.encrypt(text('x'))), 'wrong-session')
    expect(ab.decrypt(atBob.session.encrypt(text('y'))).toString()).toBe('y')
  })

  it('respond rejects an unknown prekey, a non-initial envelope and the wrong claimed sender', () => {
    const alice = generateIdentity()
    const bob = generateIdentity()
    const mallory = generateIdentity()
    const prekey = generateSignedPrekey(bob, 3)
    const a = Session.initiate(alice, bob.publicKey, bundleOf(bob, prekey))
    const env = a.encrypt(text('hi'))
    const lookup = (id: number) => (id === 3 ? prekey : null)
    expect(() => Session.respond(bob, alice.publicKey, env, () => null)).toThrow(
      expect.objectContaining({ code: 'unknown-prekey' })
    )
    expect(() => Session.respond(bob, mallory.publicKey, env, lookup)).toThrow(
      expect.objectContaining({ code: 'auth-failed' })
    )
    expect(() => Session.respond(mallory, alice.publicKey, env, lookup)).toThrow(RatchetError)
    const { session: b } = Session.respond(bob, alice.publicKey, env, lookup)
    expect(() => Session.respond(alice, bob.publicKey, b.encrypt(text('r')), lookup)).toThrow(
      expect.objectContaining({ code: 'malformed' })
    )
  })

  it('a one-sided burst past MAX_SKIP is refused with the state intact, and the chain still works', () => {
    const { a, b } = startPair()
    const envelopes = Array.from({ length: MAX_SKIP + 2 }, (_, i) => a.encrypt(text(`burst ${i}`)))
    expectRejected(b, () => b.decrypt(envelopes[MAX_SKIP + 1]), 'too-many-skipped')
    expect(b.decrypt(envelopes[MAX_SKIP]).toString()).toBe(`burst ${MAX_SKIP}`)
    expect(b.decrypt(envelopes[0]).toString()).toBe('burst 0')
    expect(b.decrypt(envelopes[MAX_SKIP + 1]).toString()).toBe(`burst ${MAX_SKIP + 1}`)
  })

  it('a burst past MAX_SKIP across a ratchet step (previous chain length) is refused too', () => {
    const { a, b } = startPair()
    for (let i = 0; i < MAX_SKIP + 1; i++) a.encrypt(text('lost'))
    a.decrypt(b.encrypt(text('reply')))
    expectRejected(b, () => b.decrypt(a.encrypt(text('new chain'))), 'too-many-skipped')
  })

  it('keeps at most MAX_STORED_SKIPPED skipped keys, evicting the oldest', () => {
    const { a, b } = startPair()
    const chains: Buffer[][] = []
    // Three chains of 900 skipped messages each: 2,700 keys, more than the cap of 2,000.
    for (let c = 0; c < 3; c++) {
      const chain = Array.from({ length: 901 }, (_, i) => a.encrypt(text(`c${c} m${i}`)))
      expect(b.decrypt(chain[900]).toString()).toBe(`c${c} m900`)
      chains.push(chain)
      a.decrypt(b.encrypt(text('turn')))
    }
    expect(MAX_STORED_SKIPPED).toBeLessThan(2700)
    expectRejected(b, () => b.decrypt(chains[0][0]), 'duplicate', 'auth-failed')
    expect(b.decrypt(chains[2][0]).toString()).toBe('c2 m0')
    expect(b.decrypt(chains[1][899]).toString()).toBe('c1 m899')
  })

  it('state serialised and restored mid-conversation carries on, skipped keys included', () => {
    const { a, b } = startPair()
    const early = a.encrypt(text('early'))
    const late = a.encrypt(text('late'))
    expect(b.decrypt(late).toString()).toBe('late')
    const restored = Session.decode(b.encode())
    expect(restored.encode().equals(b.encode())).toBe(true)
    expect(restored.decrypt(early).toString()).toBe('early')
    const a2 = Session.decode(a.encode())
    expect(a2.decrypt(restored.encrypt(text('back'))).toString()).toBe('back')
  })

  it('forward secrecy: a used message key is gone from the state, and a later state cannot reopen old messages', () => {
    const { a, b } = startPair()
    const skippedOne = a.encrypt(text('first'))
    const second = a.encrypt(text('second'))
    b.decrypt(second)
    const withSkipped = b.encode().byteLength
    b.decrypt(skippedOne)
    expect(b.encode().byteLength).toBe(withSkipped - 68)
    const later = Session.decode(b.encode())
    expectRejected(later, () => later.decrypt(skippedOne), 'duplicate')
    expectRejected(later, () => later.decrypt(second), 'duplicate')
  })

  it('forward secrecy: chain keys, root keys and ratchet secrets are replaced and zeroed once used', () => {
    const { a, b } = startPair()
    const before = decodeState(b.encode())
    b.decrypt(a.encrypt(text('same chain')))
    const mid = b.encode()
    expect(mid.includes(before.ckr!)).toBe(false)
    a.decrypt(b.encrypt(text('reply')))
    const afterStep = decodeState(b.encode())
    b.decrypt(a.encrypt(text('new chain')))
    const after = b.encode()
    for (const old of [afterStep.rootKey, afterStep.dhs.secretKey, afterStep.ckr!, afterStep.cks!]) {
      expect(after.includes(old)).toBe(false)
    }
    // White box: the skipped key object itself is wiped, not just dropped from the map.
    const skipped = a.encrypt(text('skipped'))
    b.decrypt(a.encrypt(text('next')))
    const internal = (b as unknown as { s: RatchetState }).s
    const [entry] = internal.skipped.values()
    const key = entry.messageKey
    expect(key.equals(Buffer.alloc(32))).toBe(false)
    b.decrypt(skipped)
    expect(key.equals(Buffer.alloc(32))).toBe(true)
  })

  it('post-compromise healing: a leaked state stops decrypting after a round trip on fresh keys', () => {
    const { a, b } = startPair()
    b.decrypt(a.encrypt(text('before')))
    const leaked = b.encode()
    // While the leak is fresh it reads the current chain: the compromise is real.
    const now = a.encrypt(text('still readable'))
    expect(Session.decode(leaked).decrypt(now).toString()).toBe('still readable')
    b.decrypt(now)
    for (let i = 0; i < 2; i++) {
      a.decrypt(b.encrypt(text(`b${i}`)))
      b.decrypt(a.encrypt(text(`a${i}`)))
    }
    const healed = a.encrypt(text('secret again'))
    const attacker = Session.decode(leaked)
    expectRejected(attacker, () => attacker.decrypt(healed))
    expect(b.decrypt(healed).toString()).toBe('secret again')
  })

  it('static-static weakness heals: after the first reply, Bob\u2019s identity secret no longer opens new messages', () => {
    const { a, b, bob, alice } = startPair(false)
    const first = a.encrypt(text('pre-reply'))
    // The initial envelope can be opened again from Bob's identity key alone (documented weakness)...
    expect(Session.respond(bob, alice.publicKey, first, () => null).plaintext.toString()).toBe('pre-reply')
    b.decrypt(first)
    a.decrypt(b.encrypt(text('reply')))
    // ...but after the reply Alice no longer sends the start header, so there is nothing to respond to.
    const after = a.encrypt(text('post-reply'))
    expect(() => Session.respond(bob, alice.publicKey, after, () => null)).toThrow(
      expect.objectContaining({ code: 'malformed' })
    )
    expect(b.decrypt(after).toString()).toBe('post-reply')
  })

  it('detects tampering with every byte of an initial and of a regular envelope', () => {
    const { a, b, alice, bob, prekey } = startPair()
    const lookup = (id: number) => (id === 1 ? prekey : null)
    const initial = Session.initiate(alice, bob.publicKey, bundleOf(bob, prekey)).encrypt(text('initial'))
    for (let i = 0; i < initial.byteLength; i++) {
      for (const mask of [0x01, 0x80]) {
        const bad = Buffer.from(initial)
        bad[i] ^= mask
        expect(() => Session.respond(bob, alice.publicKey, bad, lookup)).toThrow(RatchetError)
      }
    }
    a.decrypt(b.encrypt(text('reply')))
    const regular = a.encrypt(text('regular message'))
    for (let i = 0; i < regular.byteLength; i++) {
      for (const mask of [0x01, 0x80]) {
        const bad = Buffer.from(regular)
        bad[i] ^= mask
        expectRejected(b, () => b.decrypt(bad))
      }
    }
    expect(b.decrypt(regular).toString()).toBe('regular message')
  })

  it('rejects malformed envelopes: truncated at every length, oversized, unknown version or kind, not bytes', () => {
    const { a, b } = startPair()
    const env = a.encrypt(text('x'))
    for (let len = 0; len < env.byteLength; len++) expectRejected(b, () => b.decrypt(env.subarray(0, len)))
    expectRejected(b, () => b.decrypt(Buffer.concat([env, Buffer.alloc(64 * 1024)])), 'malformed')
    const v2 = Buffer.from(env)
    v2[0] = 2
    expectRejected(b, () => b.decrypt(v2), 'unsupported-version')
    const kind = Buffer.from(env)
    kind[1] = 7
    expectRejected(b, () => b.decrypt(kind), 'malformed')
    expectRejected(b, () => b.decrypt('nope' as unknown as Uint8Array), 'malformed')
    expect(() => inspectEnvelope(Buffer.alloc(3))).toThrow(RatchetError)
    expect(b.decrypt(env).toString()).toBe('x')
  })

  it('rejects any random change to a valid envelope without changing state (randomised)', () => {
    const { a, b } = startPair()
    const env = a.encrypt(text('the real one'))
    fc.assert(
      fc.property(
        fc.array(fc.record({ at: fc.nat({ max: env.byteLength - 1 }), xor: fc.integer({ min: 1, max: 255 }) }), {
          minLength: 1,
          maxLength: 8
        }),
        (changes) => {
          const bad = Buffer.from(env)
          for (const { at, xor } of changes) bad[at] ^= xor
          if (bad.equals(env)) return
          expectRejected(b, () => b.decrypt(bad))
        }
      ),
      { numRuns: 300 }
    )
    expect(b.decrypt(env).toString()).toBe('the real one')
  })

  it('sessions carry on across the two sodium builds (same wire format and state)', async () => {
    const { a, b } = startPair()
    const env = a.encrypt(text('native'))
    let restored: Session
    useCryptoBackend('wasm')
    try {
      await cryptoReady()
      expect(b.decrypt(env).toString()).toBe('native')
      const reply = b.encrypt(text('wasm'))
      restored = Session.decode(a.encode())
      expect(restored.decrypt(reply).toString()).toBe('wasm')
      expect(b.decrypt(restored.encrypt(text('wasm again'))).toString()).toBe('wasm again')
    } finally {
      useCryptoBackend('native')
    }
    expect(restored.decrypt(b.encrypt(text('native again'))).toString()).toBe('native again')
  })

  it('rejects random garbage as an envelope without changing state (randomised)', () => {
    const { b } = startPair()
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expectRejected(b, () => b.decrypt(bytes))
      }),
      { numRuns: 300 }
    )
  })

  it('refuses a plaintext that would not fit the envelope size cap', () => {
    const { a } = startPair()
    expectRejected(a, () => a.encrypt(Buffer.alloc(64 * 1024)), 'malformed')
  })

  it('rejects malformed session state: every truncation, a bad version, trailing bytes, garbage', () => {
    const { b, a } = startPair()
    b.decrypt(a.encrypt(text('two')))
    a.encrypt(text('skipped'))
    b.decrypt(a.encrypt(text('four')))
    const state = b.encode()
    for (let len = 0; len < state.byteLength; len++) {
      expect(() => Session.decode(state.subarray(0, len))).toThrow(RatchetError)
    }
    const v = Buffer.from(state)
    v[0] = 9
    expect(() => Session.decode(v)).toThrow(expect.objectContaining({ code: 'unsupported-version' }))
    expect(() => Session.decode(Buffer.concat([state, Buffer.from([0])]))).toThrow(expect.objectContaining({ code: 'malformed' }))
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        try {
          Session.decode(bytes)
        } catch (err) {
          expect(err).toBeInstanceOf(RatchetError)
        }
      }),
      { numRuns: 300 }
    )
  })

  it('decode does not alias the caller\u2019s bytes', () => {
    const { a, b } = startPair()
    const bytes = b.encode()
    const copy = Buffer.from(bytes)
    const restored = Session.decode(bytes)
    restored.decrypt(a.encrypt(text('advance')))
    expect(bytes.equals(copy)).toBe(true)
  })
})

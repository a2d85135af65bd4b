// The one-time prekey formats (test/fixtures/one-time, written once by generate-one-time.ts): today's
// code reads Bob's stored and published one-time prekey, opens Alice's first envelope of a start that
// used it with v1's signed prekey, and keeps her state's bytes.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { cryptoReady, ed25519KeyPair, x25519PublicKey } from '../../core/crypto'
import { decodePayload } from '../../core/protocol/payload'
import {
  decodeOneTimePrekey,
  decodePublishedOneTimePrekey,
  decodeSignedPrekey,
  encodeOneTimePrekey,
  encodePublishedOneTimePrekey,
  inspectEnvelope,
  RatchetError,
  Session
} from '../../core/ratchet'
import { fixture, oneTimeFixture } from '../fixtures/values'

const bytes = (name: string) => readFileSync(fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url)))

beforeAll(() => cryptoReady())

describe('one-time prekey formats, frozen', () => {
  it("Bob's stored one-time prekey and the form his home node serves", () => {
    const bob = ed25519KeyPair(fixture.bob.seed)
    const local = decodeOneTimePrekey(bytes('one-time/one-time-prekey.bin'))
    expect(local).toEqual({ id: oneTimeFixture.id, secretKey: oneTimeFixture.secret, publicKey: x25519PublicKey(oneTimeFixture.secret) })
    expect(encodeOneTimePrekey(local)).toEqual(bytes('one-time/one-time-prekey.bin'))
    const published = decodePublishedOneTimePrekey(bytes('one-time/one-time-prekey-published.bin'), bob.publicKey)
    expect(published).toMatchObject({ id: oneTimeFixture.id, publicKey: local.publicKey })
    expect(encodePublishedOneTimePrekey(published)).toEqual(bytes('one-time/one-time-prekey-published.bin'))
  })

  it('Bob opens the first envelope (kind 2) with his signed and one-time prekeys, once; Alice’s state keeps its bytes', () => {
    const alice = ed25519KeyPair(fixture.alice.seed)
    const bob = ed25519KeyPair(fixture.bob.seed)
    const prekey = decodeSignedPrekey(bytes('v1/signed-prekey.bin'))
    const oneTime = decodeOneTimePrekey(bytes('one-time/one-time-prekey.bin'))
    const envelope = bytes('one-time/envelope-initial-one-time.bin')
    const state = bytes('one-time/ratchet-initiator-one-time.bin')
    const initiator = Session.decode(state)
    expect(initiator.encode()).toEqual(state)
    expect(initiator.awaitingReply).toBe(true)
    expect(inspectEnvelope(envelope)).toEqual({ sessionId: initiator.id, initial: true })
    expect(envelope[1]).toBe(2)
    let kept: typeof oneTime | null = oneTime
    const { session, plaintext } = Session.respond(bob, alice.publicKey, envelope, (id) => (id === prekey.id ? prekey : null), (id) =>
      id === kept?.id ? kept : null
    )
    kept = null
    expect(decodePayload(plaintext)).toEqual({ kind: 'text', ...oneTimeFixture.message })
    expect(session.id).toEqual(initiator.id)
    expect(() => Session.respond(bob, alice.publicKey, envelope, () => prekey, () => kept)).toThrow(RatchetError)
  })
})

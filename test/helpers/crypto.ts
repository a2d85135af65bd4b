import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect } from 'vitest'
import { ed25519KeyPair } from '../../core/crypto'
import { generateIdentity, type IdentityKeyPair } from '../../core/identity'
import { RatchetError, Session, bundleOf, generateSignedPrekey, type SignedPrekey } from '../../core/ratchet'

/** A static-static session written by the release before that start was removed (test/fixtures). */
export interface LegacySession {
  alice: IdentityKeyPair
  bob: IdentityKeyPair
  /** Alice's first two envelopes, each repeating the static start header. */
  initialEnvelopes: Buffer[]
  texts: string[]
  /** Both sides after Bob's reply. */
  a: Session
  b: Session
}

export function legacySession(): LegacySession {
  const f = JSON.parse(readFileSync(join(__dirname, '../fixtures/static-session-v1.json'), 'utf8'))
  return {
    alice: ed25519KeyPair(Buffer.from(f.aliceSeed, 'hex')),
    bob: ed25519KeyPair(Buffer.from(f.bobSeed, 'hex')),
    initialEnvelopes: f.initialEnvelopes.map((h: string) => Buffer.from(h, 'hex')),
    texts: f.texts,
    a: Session.decode(Buffer.from(f.aliceState, 'hex')),
    b: Session.decode(Buffer.from(f.bobState, 'hex'))
  }
}

export interface Pair {
  alice: IdentityKeyPair
  bob: IdentityKeyPair
  prekey: SignedPrekey
  a: Session
  b: Session
}

/**
 * Alice starts from Bob's bundle and Bob accepts her first message; or (withBundle false) the
 * static-static session of an earlier release, from the fixture.
 */
export function startPair(withBundle = true): Pair {
  if (!withBundle) {
    const { alice, bob, a, b } = legacySession()
    return { alice, bob, prekey: generateSignedPrekey(bob, 1), a, b }
  }
  const alice = generateIdentity()
  const bob = generateIdentity()
  const prekey = generateSignedPrekey(bob, 1)
  const a = Session.initiate(alice, bob.publicKey, bundleOf(bob, prekey))
  const first = a.encrypt(Buffer.from('hello'))
  const { session: b, plaintext } = Session.respond(bob, alice.publicKey, first, (id) => (id === 1 ? prekey : null))
  expect(plaintext.toString()).toBe('hello')
  return { alice, bob, prekey, a, b }
}

/** Asserts `fn` throws a RatchetError with one of `codes` and leaves the session byte-for-byte unchanged. */
export function expectRejected(session: Session, fn: () => unknown, ...codes: RatchetError['code'][]): RatchetError {
  const before = session.encode()
  let caught: unknown
  try {
    fn()
  } catch (err) {
    caught = err
  }
  expect(caught).toBeInstanceOf(RatchetError)
  const err = caught as RatchetError
  if (codes.length > 0) expect(codes).toContain(err.code)
  expect(session.encode().equals(before)).toBe(true)
  return err
}

import { expect } from 'vitest'
import { generateIdentity, type IdentityKeyPair } from '../../core/identity'
import { RatchetError, Session, bundleOf, generateSignedPrekey, type SignedPrekey } from '../../core/ratchet'

export interface Pair {
  alice: IdentityKeyPair
  bob: IdentityKeyPair
  prekey: SignedPrekey
  a: Session
  b: Session
}

/** Alice starts (from Bob's bundle, or static-static) and Bob accepts her first message. */
export function startPair(withBundle = true): Pair {
  const alice = generateIdentity()
  const bob = generateIdentity()
  const prekey = generateSignedPrekey(bob, 1)
  const a = Session.initiate(alice, bob.publicKey, withBundle ? bundleOf(bob, prekey) : null)
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

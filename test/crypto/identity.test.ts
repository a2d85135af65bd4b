import { beforeAll, describe, expect, it } from 'vitest'
import { CairnError } from '../../core/api/errors'
import { cryptoReady } from '../../core/crypto'
import { decodeContactId, encodeContactId, generateIdentity, safetyNumber, topicSecret } from '../../core/identity'

beforeAll(() => cryptoReady())

function rejection(id: unknown): string {
  try {
    decodeContactId(id as string)
  } catch (err) {
    expect(err).toBeInstanceOf(CairnError)
    expect((err as CairnError).code).toBe('invalid-contact-id')
    return (err as CairnError).message
  }
  throw new Error(`accepted ${String(id)}`)
}

describe('identity', () => {
  const alice = generateIdentity()
  const bob = generateIdentity()

  it('generates Ed25519 key pairs in libsodium form', () => {
    expect(alice.publicKey.byteLength).toBe(32)
    expect(alice.secretKey.byteLength).toBe(64)
    expect(alice.secretKey.subarray(32).equals(alice.publicKey)).toBe(true)
  })

  it('contact IDs round-trip, tolerating surrounding whitespace only', () => {
    for (let i = 0; i < 50; i++) {
      const { publicKey } = generateIdentity()
      const id = encodeContactId(publicKey)
      expect(id).toMatch(/^[ybndrfg8ejkmcpqxot1uwisza345h769]{56}$/)
      expect(decodeContactId(id).equals(publicKey)).toBe(true)
      expect(decodeContactId(`  ${id}\n`).equals(publicKey)).toBe(true)
    }
  })

  it('explains each kind of bad contact ID', () => {
    const id = encodeContactId(alice.publicKey)
    expect(rejection('')).toMatch(/empty/)
    expect(rejection('   ')).toMatch(/empty/)
    expect(rejection(id.slice(0, 50))).toMatch(/too short: 50 characters, expected 56/)
    expect(rejection(id + 'y')).toMatch(/too long: 57 characters, expected 56/)
    const firstLetter = id.search(/[a-z]/)
    expect(rejection(id.toUpperCase())).toMatch(new RegExp(`uppercase letter '.' at position ${firstLetter + 1}; .*lowercase`))
    expect(rejection(id.slice(0, 10) + 'l' + id.slice(11))).toMatch(/character .*'l'.* at position 11/)
    expect(rejection(id + '==')).toMatch(/'=', at position 57/)
    expect(rejection(id.slice(0, 20) + ' ' + id.slice(20))).toMatch(/space or line break at position 21/)
    expect(rejection(12345)).toMatch(/must be text/)
  })

  it('catches every single-character typo by its checksum', () => {
    const id = encodeContactId(bob.publicKey)
    const alphabet = 'ybndrfg8ejkmcpqxot1uwisza345h769'
    for (let i = 0; i < id.length; i++) {
      const replacement = alphabet[(alphabet.indexOf(id[i]) + 1 + (i % 31)) % 32]
      const typo = id.slice(0, i) + replacement + id.slice(i + 1)
      expect(rejection(typo)).toMatch(/checksum does not match.*typo/)
    }
    const swapped = id.slice(0, 5) + id[6] + id[5] + id.slice(7)
    if (swapped !== id) expect(rejection(swapped)).toMatch(/checksum/)
  })

  it('safety numbers: 60 digits in 12 groups, equal on both sides, different per pair', () => {
    const ab = safetyNumber(alice.publicKey, bob.publicKey)
    expect(ab).toMatch(/^\d{5}( \d{5}){11}$/)
    expect(safetyNumber(bob.publicKey, alice.publicKey)).toBe(ab)
    expect(safetyNumber(alice.publicKey, generateIdentity().publicKey)).not.toBe(ab)
    expect(() => safetyNumber(alice.publicKey, Buffer.alloc(5))).toThrow(CairnError)
  })

  it('topic secrets are shared by the pair only', () => {
    const mallory = generateIdentity()
    const secret = topicSecret(alice, bob.publicKey)
    expect(secret.byteLength).toBe(32)
    expect(topicSecret(bob, alice.publicKey).equals(secret)).toBe(true)
    expect(topicSecret(mallory, bob.publicKey).equals(secret)).toBe(false)
    expect(() => topicSecret(alice, Buffer.alloc(32))).toThrow(CairnError)
    expect(() => topicSecret(alice, Buffer.alloc(31))).toThrow(CairnError)
  })
})

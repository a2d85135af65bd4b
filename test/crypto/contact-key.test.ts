import { beforeAll, describe, expect, it } from 'vitest'
import { CairnError } from '../../core/api/errors'
import { cryptoReady } from '../../core/crypto'
import { ContactKey, decodeContactId, encodeContactId, generateIdentity } from '../../core/identity'

beforeAll(() => cryptoReady())

describe('ContactKey', () => {
  it('carries the same key as bytes, hex and contact ID, from whichever form it was made', () => {
    const { publicKey } = generateIdentity()
    const id = encodeContactId(publicKey)
    const forms = [ContactKey.fromBytes(publicKey), ContactKey.fromHex(publicKey.toString('hex')), ContactKey.fromId(`  ${id}\n`)]
    for (const key of forms) {
      expect(key.bytes.equals(publicKey)).toBe(true)
      expect(key.hex).toBe(publicKey.toString('hex'))
      expect(key.id).toBe(id)
      expect(decodeContactId(key.id).equals(publicKey)).toBe(true)
      expect(key.equals(forms[0])).toBe(true)
      expect(key.equals(publicKey)).toBe(true)
    }
    expect(forms[0].equals(ContactKey.fromBytes(generateIdentity().publicKey))).toBe(false)
  })

  it('holds a copy: changing the buffer it was made from changes nothing', () => {
    const { publicKey } = generateIdentity()
    const key = ContactKey.fromBytes(publicKey)
    const hex = key.hex
    publicKey[0] ^= 0xff
    expect(key.hex).toBe(hex)
    expect(key.bytes.toString('hex')).toBe(hex)
  })

  it('refuses a key of the wrong size and a wrong ID with the reason', () => {
    for (const bad of [Buffer.alloc(31), Buffer.alloc(33), 'not bytes', null]) {
      expect(() => ContactKey.fromBytes(bad)).toThrow(CairnError)
    }
    const id = encodeContactId(generateIdentity().publicKey)
    const typo = id.slice(0, 10) + (id[10] === 'y' ? 'b' : 'y') + id.slice(11)
    try {
      ContactKey.fromId(typo)
      throw new Error('accepted a mistyped ID')
    } catch (err) {
      expect((err as CairnError).code).toBe('invalid-contact-id')
    }
  })
})

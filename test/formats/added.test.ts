// Formats added after the v1 fixtures were frozen (test/fixtures/README.md lists them), pinned the
// same way: today's code must keep producing and reading these bytes.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'
import { keys } from '../../core/store/keys'
import type { ContactRecord, RequestRecord } from '../../core/messenger/records'

const text = (name: string) => readFileSync(fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url)), 'utf8').trim()

it('the store key that maps a block of their log to its history entry', () => {
  const tag = Buffer.from('00112233445566778899aabbccddeeff', 'hex')
  expect(keys.inBlock(tag, 5).toString('hex')).toBe(text('store-key-inblock-v2.hex'))
})

it('the store keys of one-time prekeys, and the record fields that starting through a home node adds', () => {
  const frozen = JSON.parse(text('store-one-time-v2.json')) as Record<string, string>
  expect(keys.oneTimePrekey(5).toString('hex')).toBe(frozen.oneTimePrekey5)
  expect(keys.oneTimePrekeys().toString('hex')).toBe(frozen.oneTimePrekeys)
  expect(keys.oneTimeNext().toString('hex')).toBe(frozen.oneTimeNext)
  const request = JSON.parse(frozen.requestWithIntroduction) as RequestRecord
  expect(request.intro).toEqual({ log: '22'.repeat(32), home: null, from: 0, envelopes: ['0102', '0304'] })
  const contact = JSON.parse(frozen.contactIntroducing) as Pick<ContactRecord, 'oneTime' | 'introBox' | 'introduced'>
  expect(contact).toEqual({ oneTime: '33'.repeat(101), introBox: '44'.repeat(32), introduced: 2 })
})

// Formats added after the v1 fixtures were frozen (test/fixtures/README.md lists them), pinned the
// same way: today's code must keep producing and reading these bytes.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'
import { keys } from '../../core/store/keys'

const text = (name: string) => readFileSync(fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url)), 'utf8').trim()

it('the store key that maps a block of their log to its history entry', () => {
  const tag = Buffer.from('00112233445566778899aabbccddeeff', 'hex')
  expect(keys.inBlock(tag, 5).toString('hex')).toBe(text('store-key-inblock-v2.hex'))
})

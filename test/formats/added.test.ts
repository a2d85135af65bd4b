// Formats added after the v1 fixtures were frozen (test/fixtures/README.md lists them), pinned the
// same way: today's code must keep producing and reading these bytes.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import type { Contact, Message } from '../../core/api/types'
import { recordPreview } from '../../core/messenger/payload'
import type { ContactRecord, FormerRecord, MessageRecord } from '../../core/messenger/records'
import { contactView, messageState, messageView } from '../../core/messenger/views'
import { keys } from '../../core/store/keys'

const text = (name: string) => readFileSync(fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url)), 'utf8').trim()

it('the store key that maps a block of their log to its history entry', () => {
  const tag = Buffer.from('00112233445566778899aabbccddeeff', 'hex')
  expect(keys.inBlock(tag, 5).toString('hex')).toBe(text('store-key-inblock-v2.hex'))
})

interface OptionalFields {
  expiryKey: { at: number; tag: string; seq: number; hex: string }
  contact: ContactRecord
  contactView: Contact
  former: FormerRecord
  messages: Record<string, { record: MessageRecord; view: Message; preview: string }>
}

describe('optional fields of the store records (v2/store-records-optional.json)', () => {
  const fx = JSON.parse(text('v2/store-records-optional.json')) as OptionalFields

  it('the store key that queues a disappearing message for the sweep', () => {
    const { at, tag, seq, hex } = fx.expiryKey
    expect(keys.expiry(at, Buffer.from(tag, 'hex'), seq).toString('hex')).toBe(hex)
    expect(keys.expiry(at, Buffer.from(tag, 'hex'), seq).compare(keys.expiriesUntil(at + 1))).toBeLessThan(0)
  })

  it('a contact record with every optional field reads as it did', () => {
    expect(contactView(fx.contact, 'CONTACT-ID', 'offline')).toEqual(fx.contactView)
    expect(contactView({ ...fx.contact, disappear: { seconds: 0, at: 1, mine: true } }, 'CONTACT-ID', 'offline').disappearing).toBeUndefined()
  })

  it('what stays of a removed contact keeps their disappearing setting in the contact record\'s form', () => {
    expect(Object.keys(fx.former).sort()).toEqual(['consumed', 'disappear', 'outCount', 'sessions', 'theirLog'])
    expect(fx.former.disappear).toEqual(fx.contact.disappear)
  })

  it.each(Object.keys(fx.messages))('a message record (%s) shows and previews as it did', (name) => {
    const { record, view, preview } = fx.messages[name]
    // its history number is the number after the dash; read below seq 9
    const seq = Number(record.id.split('-')[1])
    const progress = { readSeq: 9, heard: { delivered: 6, read: 6 }, atHome: 6, appended: 6 }
    expect(messageView(record, 'CONTACT-ID', messageState(record, seq, progress))).toEqual(view)
    expect(recordPreview(record)).toBe(preview)
  })
})

// Formats added after the v1 fixtures were frozen (test/fixtures/README.md lists them), pinned the
// same way: today's code must keep producing and reading these bytes.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import type { Contact, Message } from '../../core/api/types'
import { recordPreview } from '../../core/messenger/payload'
import { contactView, messageState, messageView } from '../../core/messenger/views'
import { cryptoReady } from '../../core/crypto'
import { decodeEventRef, encodeEventRef, stampEvent } from '../../core/messenger/message-events'
import type { ClientIdRecord, ContactRecord, FormerRecord, MessageRecord, RequestRecord } from '../../core/messenger/records'
import { storeCipher } from '../../core/messenger/store-keys'
import { STORE_CLIENT_ID } from '../../core/protocol/caps'
import type { Tx } from '../../core/store'
import { keys } from '../../core/store/keys'
import { decodeJournal, encodeJournal } from '../../core/store/journal'

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

describe('call lines of the history (v2/store-call-lines.json)', () => {
  const fx = JSON.parse(text('v2/store-call-lines.json')) as Pick<OptionalFields, 'messages'>

  it.each(Object.keys(fx.messages))('a call line (%s) shows and previews as it did', (name) => {
    const { record, view, preview } = fx.messages[name]
    const seq = Number(record.id.split('-')[1])
    const progress = { readSeq: 9, heard: { delivered: 6, read: 6 }, atHome: 6, appended: 6 }
    expect(messageView(record, 'CONTACT-ID', messageState(record, seq, progress))).toEqual(view)
    expect(recordPreview(record)).toBe(preview)
    expect(record.block).toBe(-1)
  })
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

it('message events and client ids: their store keys, the event index value, the records (store-events-v2.json)', async () => {
  await cryptoReady()
  const fx = JSON.parse(text('store-events-v2.json')) as {
    tag: string
    storageKey: string
    clientId: string
    keys: Record<string, string>
    values: Record<string, string>
  }
  const tag = Buffer.from(fx.tag, 'hex')
  const idTag = storeCipher(Buffer.from(fx.storageKey, 'hex')).tag(Buffer.concat([STORE_CLIENT_ID, Buffer.from(fx.clientId)]))
  expect(idTag.toString('hex')).toBe(fx.keys.clientIdTag)
  expect(keys.eventCounter().toString('hex')).toBe(fx.keys.eventCounter)
  expect(keys.event(1041).toString('hex')).toBe(fx.keys.event1041)
  expect(keys.clientId(tag, idTag).toString('hex')).toBe(fx.keys.clientId)
  expect(keys.clientIdOrder(tag, 11).toString('hex')).toBe(fx.keys.clientIdOrder11)
  expect(encodeEventRef(tag, 7).toString('hex')).toBe(fx.values.eventRef)
  expect(decodeEventRef(Buffer.from(fx.values.eventRef, 'hex'))).toEqual({ tag, seq: 7 })
  expect(decodeEventRef(Buffer.alloc(23))).toBeNull()
  expect(JSON.parse(fx.values.clientId) as ClientIdRecord).toEqual({ seq: 7, at: 1_764_547_200_000 })
  expect((JSON.parse(fx.values.contactFields) as Partial<ContactRecord>).clientIds).toBe(12)

  // A store written with these bytes goes on from them: the next change takes 1042 and moves the
  // message's index entry there.
  const stored = new Map<string, Buffer | null>([[fx.keys.eventCounter, Buffer.from(fx.values.eventCounter, 'hex')]])
  const tx: Tx = {
    get: async (k) => stored.get(k.toString('hex')) ?? null,
    getJson: async () => null,
    put: (k, v) => void stored.set(k.toString('hex'), v),
    putJson: (k, v) => void stored.set(k.toString('hex'), Buffer.from(JSON.stringify(v))),
    del: (k) => void stored.set(k.toString('hex'), null)
  }
  const message = JSON.parse(fx.values.message) as MessageRecord
  expect(message.eventSeq).toBe(1041)
  const stamped = await stampEvent(tx, tag, 7, { ...message, text: 'hello, edited' })
  expect(stamped.eventSeq).toBe(1042)
  expect(stored.get(fx.keys.eventCounter)?.toString('hex')).toBe('0000000000000412')
  expect(stored.get(fx.keys.event1041)).toBeNull()
  expect(stored.get(keys.event(1042).toString('hex'))?.toString('hex')).toBe(fx.values.eventRef)
})

it('a journal entry of the store: its key, and a group of writes (puts and a delete) as one value (v2/store-journal.json)', () => {
  const fx = JSON.parse(text('v2/store-journal.json')) as { journalKey3: string; writes: [string, string | null][]; journal: string }
  expect(keys.journal(3).toString('hex')).toBe(fx.journalKey3)
  const writes = new Map(fx.writes.map(([k, v]) => [k, v === null ? null : Buffer.from(v, 'hex')]))
  expect(encodeJournal(writes).toString('hex')).toBe(fx.journal)
  expect(decodeJournal(Buffer.from(fx.journal, 'hex'))).toEqual(writes)
  const cut = Buffer.from(fx.journal, 'hex').subarray(0, 40)
  expect(() => decodeJournal(cut)).toThrow(expect.objectContaining({ code: 'corrupt-profile' }))
})

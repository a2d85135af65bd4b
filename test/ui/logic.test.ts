import { describe, expect, test } from 'vitest'
import type { Contact, Message } from '../../core/api/types'
import { composerAction, outgoingText, overLimit } from '../../renderer/src/lib/composer'
import { contactUri, parseContactInput } from '../../renderer/src/lib/contact-input'
import { sortedContacts } from '../../renderer/src/lib/contacts'
import { dayLabel, firstUnread, groupByDay } from '../../renderer/src/lib/days'
import { shortStamp, timeOfDay } from '../../renderer/src/lib/format'
import { linkify } from '../../renderer/src/lib/links'
import { parsePreferences } from '../../renderer/src/lib/preferences'
import { passphraseStrength } from '../../renderer/src/lib/strength'
import { layout, rowAt, visibleWindow } from '../../renderer/src/lib/virtual'

function msg(id: string, sentAt: number, direction: 'in' | 'out' = 'in'): Message {
  return { id, contact: 'c', direction, text: id, sentAt, receivedAt: sentAt, state: 'delivered' }
}

describe('virtual list windowing', () => {
  test('10,000 rows of mixed heights: only the rows in view plus overscan are rendered', () => {
    const heights = Array.from({ length: 10_000 }, (_, i) => (i % 10 === 0 ? 120 : 50))
    const offsets = layout(heights.length, (i) => heights[i])
    expect(offsets[10_000]).toBe(1000 * 120 + 9000 * 50)
    const win = visibleWindow(offsets, 250_000, 600, 300)
    expect(win.end - win.start).toBeLessThan(40)
    // The window covers the viewport and the overscan on both sides, and its spacers add up.
    expect(offsets[win.start]).toBeLessThanOrEqual(250_000 - 300)
    expect(offsets[win.end]).toBeGreaterThanOrEqual(250_000 + 600 + 300)
    expect(win.before + (offsets[win.end] - offsets[win.start]) + win.after).toBe(offsets[10_000])
  })

  test('the window is clamped at both ends of the list', () => {
    const offsets = layout(100, () => 40)
    expect(visibleWindow(offsets, 0, 400, 200)).toMatchObject({ start: 0, before: 0 })
    const end = visibleWindow(offsets, 4000 - 400, 400, 200)
    expect(end.end).toBe(100)
    expect(end.after).toBe(0)
    expect(visibleWindow(layout(0, () => 40), 0, 400, 200)).toEqual({ start: 0, end: 0, before: 0, after: 0 })
  })

  test('rowAt finds the row containing a position', () => {
    const offsets = layout(4, (i) => [10, 20, 30, 40][i])
    expect([0, 9, 10, 29, 30, 59, 60, 99, 500].map((y) => rowAt(offsets, y))).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 3])
  })
})

describe('day grouping', () => {
  const now = new Date(2026, 10, 25, 15, 0).getTime()
  const at = (day: number, hour: number, minute = 0) => new Date(2026, 10, day, hour, minute).getTime()

  test('a separator before the first message of each day, labelled Today / Yesterday / the date', () => {
    const rows = groupByDay([msg('a', at(20, 9)), msg('b', at(24, 23, 59)), msg('c', at(25, 0, 1)), msg('d', at(25, 9))], now)
    expect(rows.map((r) => (r.kind === 'day' ? `[${r.label}]` : r.key))).toEqual([
      `[${dayLabel(at(20, 9), now)}]`,
      'a',
      '[Yesterday]',
      'b',
      '[Today]',
      'c',
      'd'
    ])
    expect(dayLabel(at(20, 9), now)).toMatch(/20/)
    expect(dayLabel(new Date(2025, 0, 3).getTime(), now)).toMatch(/2025/)
  })

  test('runs break on a change of sender, a new day, or a long pause', () => {
    const rows = groupByDay(
      [msg('a', at(25, 9)), msg('b', at(25, 9, 1)), msg('c', at(25, 9, 2), 'out'), msg('d', at(25, 9, 30), 'out')],
      now
    )
    const starts = rows.flatMap((r) => (r.kind === 'message' ? [[r.key, r.runStart]] : []))
    expect(starts).toEqual([
      ['a', true],
      ['b', false],
      ['c', true],
      ['d', true]
    ])
  })

  test('order is never changed, even when a sender clock runs backwards', () => {
    const rows = groupByDay([msg('a', at(25, 9)), msg('b', at(24, 9)), msg('c', at(25, 10))], now)
    expect(rows.filter((r) => r.kind === 'message').map((r) => r.key)).toEqual(['a', 'b', 'c'])
    expect(rows.filter((r) => r.kind === 'day')).toHaveLength(3)
  })
})

describe('composer keys', () => {
  const key = (k: string, shiftKey = false, isComposing = false) => composerAction({ key: k, shiftKey, isComposing })

  test('Enter sends, Shift+Enter is a newline, IME confirmation and other keys do nothing', () => {
    expect(key('Enter')).toBe('send')
    expect(key('Enter', true)).toBe('newline')
    expect(key('Enter', false, true)).toBe('none')
    expect(key('a')).toBe('none')
  })

  test('blank drafts are not sent; inner newlines and indentation survive', () => {
    expect(outgoingText('   \n  ')).toBeNull()
    expect(outgoingText('\n  first\n\n  second  \n')).toBe('  first\n\n  second')
  })
})

describe('links', () => {
  test('http(s) and www links become links; trailing punctuation stays text; nothing else is clickable', () => {
    expect(linkify('see https://example.org/a?b=1. ok')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://example.org/a?b=1', href: 'https://example.org/a?b=1' },
      { kind: 'text', text: '. ok' }
    ])
    expect(linkify('(www.example.org)')[1]).toEqual({ kind: 'link', text: 'www.example.org', href: 'https://www.example.org' })
    expect(linkify('javascript:alert(1) file:///etc/passwd ftp://x').every((s) => s.kind === 'text')).toBe(true)
  })
})

describe('contact input', () => {
  test('a bare ID is returned without whitespace; QR text yields the ID and the suggested name', () => {
    expect(parseContactInput('  abc de\nf ')).toEqual({ id: 'abcdef', name: null })
    expect(parseContactInput(contactUri('xyz', 'Ada & Co'))).toEqual({ id: 'xyz', name: 'Ada & Co' })
    expect(parseContactInput('cairn://xyz')).toEqual({ id: 'xyz', name: null })
  })
})

describe('passphrase strength', () => {
  test('zxcvbn judges it: common passwords, keyboard walks and dates are refused however long, unrelated words pass', () => {
    for (const weak of ['abc', 'password1', 'qwertyuiopasdf', 'Summer2024!', 'aaaaaaaaaaaaaaaaaaaaaaaa']) {
      expect(passphraseStrength(weak).acceptable, weak).toBe(false)
    }
    expect(passphraseStrength('password1').label).toMatch(/common/i)
    expect(passphraseStrength('correct horse battery staple 7!')).toMatchObject({ score: 4, acceptable: true })
  })
})

describe('contact list order', () => {
  const contact = (name: string, lastActivity: number, announcedName: string | null = null): Contact => ({
    id: name,
    name,
    presence: 'offline',
    blocked: false,
    verified: false,
    unread: 0,
    lastMessage: null,
    lastActivity,
    addedAt: 0,
    announcedName
  })

  test('most recent activity first, then by name; the filter matches local and announced names', () => {
    const list = [contact('Bea', 5), contact('Al', 9), contact('Cy', 5, 'Cyrus the Great')]
    expect(sortedContacts(list, '').map((c) => c.name)).toEqual(['Al', 'Bea', 'Cy'])
    expect(sortedContacts(list, ' GREAT ').map((c) => c.name)).toEqual(['Cy'])
    expect(sortedContacts(list, 'zz')).toEqual([])
  })
})

describe('new-messages marker', () => {
  test('goes before the first of the last N incoming messages, skipping my own', () => {
    const t = new Date(2026, 10, 25, 9).getTime()
    const msgs = [msg('a', t), msg('b', t + 1, 'out'), msg('c', t + 2), msg('d', t + 3, 'out'), msg('e', t + 4)]
    expect(firstUnread(msgs, 2)).toBe('c')
    expect(firstUnread(msgs, 0)).toBeNull()
    expect(firstUnread(msgs, 9)).toBeNull()
    const rows = groupByDay(msgs, t, { from: 'c', count: 2 })
    expect(rows.map((r) => r.key)).toEqual([expect.stringMatching(/^day:/), 'a', 'b', 'unread', 'c', 'd', 'e'])
    expect(rows.find((r) => r.key === 'c')).toMatchObject({ runStart: true })
  })
})

describe('message size', () => {
  test('the limit is 64 KiB of UTF-8, not 64 Ki characters', () => {
    expect(overLimit('a'.repeat(64 * 1024))).toBe(false)
    expect(overLimit('a'.repeat(64 * 1024 + 1))).toBe(true)
    expect(overLimit('é'.repeat(32 * 1024))).toBe(false)
    expect(overLimit('é'.repeat(32 * 1024 + 1))).toBe(true)
  })
})

describe('times follow the locale', () => {
  const early = new Date(2026, 0, 5, 4, 5).getTime()
  const plain = (s: string) => s.replace(/\s/g, ' ')

  test('the clock and its form are the locale’s own, with no forced leading zero', () => {
    expect(plain(timeOfDay(early, ['en-US']))).toBe('4:05 AM')
    expect(timeOfDay(early, ['de-DE'])).toBe('04:05')
    expect(plain(timeOfDay(new Date(2026, 0, 5, 16, 5).getTime(), ['en-GB']))).toBe('16:05')
  })

  test('the contact list’s date is in the locale’s order and language', () => {
    const now = new Date(2026, 2, 1, 12).getTime()
    expect(shortStamp(early, now, ['en-US'])).toBe('Jan 5')
    expect(shortStamp(early, now, ['de-DE'])).toBe('5. Jan.')
    expect(dayLabel(early, now, ['fr-FR'])).toBe('lundi 5 janvier')
  })
})

test('device preferences: damaged or foreign values read as the defaults, field by field', () => {
  const defaults = { autoLockMinutes: 0, notify: 'name-and-text', muted: [] }
  for (const text of [null, '', '{not json', 'null', '[1,2]', '"text"']) expect(parsePreferences(text), String(text)).toEqual(defaults)
  expect(parsePreferences('{"autoLockMinutes":7,"notify":"everything","muted":"x"}')).toEqual(defaults)
  expect(parsePreferences('{"autoLockMinutes":15,"notify":"name","muted":["a",3,"b"]}')).toEqual({ autoLockMinutes: 15, notify: 'name', muted: ['a', 'b'] })
})

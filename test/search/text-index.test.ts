// The in-memory index on its own: shards, the newest-first walk that stops early, and removal
// that leaves no trace of a message's words.
import { describe, expect, it } from 'vitest'
import { type IndexedMessage, TextIndex } from '../../core/search'

const msg = (contact: string, n: number, text: string, at = n): IndexedMessage => ({ contact, id: `${contact}-${n}`, direction: 'in', sentAt: at, at, text })

describe('TextIndex', () => {
  it('returns the newest hits across many shards and conversations, the same as a full scan', () => {
    const index = new TextIndex()
    const all: IndexedMessage[] = []
    // 3 conversations interleaved in time, several shards each; "common" in every third message
    for (let n = 0; n < 15_000; n++) {
      const m = msg(`c${n % 3}`, n, `${n % 3 === 0 ? 'common' : 'other'} word number${n} ${n % 1000 === 7 ? 'rare' : ''}`)
      all.push(m)
      index.put(m)
    }
    const scan = (word: string, limit: number, contact?: string) =>
      all
        .filter((m) => (contact === undefined || m.contact === contact) && m.text.split(' ').includes(word))
        .sort((x, y) => y.at - x.at)
        .slice(0, limit)
        .map((m) => m.id)
    expect(index.query('common', 50).map((h) => h.message.id)).toEqual(scan('common', 50))
    expect(index.query('rare', 200).map((h) => h.message.id)).toEqual(scan('rare', 200))
    expect(index.query('other', 30, 'c2').map((h) => h.message.id)).toEqual(scan('other', 30, 'c2'))
    expect(index.query('number1499', 10).map((h) => h.message.id)).toEqual(['c2-14999', 'c1-14998', 'c0-14997', 'c2-14996', 'c1-14995', 'c0-14994', 'c2-14993', 'c1-14992', 'c0-14991', 'c2-14990'])
  })

  it('forgets removed and replaced text entirely, and empties shards', () => {
    const index = new TextIndex()
    index.put(msg('a', 1, 'hello secret'))
    index.put(msg('a', 2, 'hello world'))
    index.put({ ...msg('a', 2, 'goodbye world') })
    expect(index.query('hello', 10).map((h) => h.message.id)).toEqual(['a-1'])
    index.remove('a-1')
    expect(index.query('secret', 10)).toEqual([])
    expect(index.query('hel', 10)).toEqual([])
    expect(index.size).toBe(1)
    index.removeContact('a')
    expect(index.size).toBe(0)
    expect(index.query('world', 10)).toEqual([])
    index.put(msg('a', 3, 'world again'))
    expect(index.query('world', 10).map((h) => h.message.id)).toEqual(['a-3'])
  })

  it('cuts a long text around the first match and marks each matched word', () => {
    const index = new TextIndex()
    const text = `${'lorem ipsum '.repeat(40)}the Naïve Needle sits here ${'dolor '.repeat(40)}`
    index.put(msg('a', 1, text))
    const [hit] = index.query('naive nee', 10)
    expect(hit.snippet.startsWith('…')).toBe(true)
    expect(hit.snippet.endsWith('…')).toBe(true)
    expect(hit.snippet.length).toBeLessThanOrEqual(162)
    expect(hit.highlights.map(([s, e]) => hit.snippet.slice(s, e))).toEqual(['Naïve', 'Needle'])
  })
})

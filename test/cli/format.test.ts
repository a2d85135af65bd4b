import { describe, expect, it } from 'vitest'
import { formatContacts, formatHistory, formatStatus } from '../../cli/format'
import type { Contact, Message } from '../../core/api/types'

const ID = 'ybndrfg8ejkmcpqxot1uwisza345h769ybndrfg8ejkmcpqxot1uwisz'

function message(text: string, direction: 'in' | 'out', sentAt: number): Message {
  return { id: String(sentAt), contact: ID, direction, text, sentAt, receivedAt: sentAt, state: direction === 'in' ? 'delivered' : 'read' }
}

describe('human output', () => {
  it('prints history oldest first, with the state of outgoing messages', () => {
    const page = { messages: [message('second', 'out', Date.UTC(2026, 0, 2)), message('first', 'in', Date.UTC(2026, 0, 1))], before: null }
    expect(formatHistory(page)).toBe('2026-01-01 00:00:00 < first\n2026-01-02 00:00:00 > second  [read]\n')
  })

  it('marks a reply with the id of the message it quotes', () => {
    const reply = { ...message('agreed', 'in', Date.UTC(2026, 0, 3)), replyTo: 'ab12-4' }
    expect(formatHistory({ messages: [reply], before: null })).toBe('2026-01-03 00:00:00 < (re ab12-4) agreed\n')
  })

  it('marks an edited message', () => {
    const m = { ...message('meet at 7', 'in', Date.UTC(2026, 0, 3)), edited: true }
    expect(formatHistory({ messages: [m], before: null })).toBe('2026-01-03 00:00:00 < meet at 7 (edited)\n')
  })

  it('shows reactions after the message', () => {
    const m = { ...message('done', 'out', Date.UTC(2026, 0, 3)), reactions: { mine: '👍', theirs: '🎉' } }
    expect(formatHistory({ messages: [m], before: null })).toBe('2026-01-03 00:00:00 > done  [read]  (you 👍, they 🎉)\n')
  })

  it('shows a message deleted for everyone and who set disappearing messages to what', () => {
    const gone = { ...message('', 'in', Date.UTC(2026, 0, 3)), deleted: true }
    const set = { ...message('', 'out', Date.UTC(2026, 0, 4)), timer: 86_400 }
    const off = { ...message('', 'in', Date.UTC(2026, 0, 5)), timer: 0 }
    expect(formatHistory({ messages: [off, set, gone], before: null })).toBe(
      '2026-01-03 00:00:00 < (message deleted)\n2026-01-04 00:00:00 * you set disappearing messages to 1 day\n2026-01-05 00:00:00 * they set disappearing messages to off\n'
    )
  })

  it('neutralises terminal control sequences a peer could send', () => {
    const out = formatHistory({ messages: [message('\u001b]0;pwned\u0007\u001b[2Jhi\rthere', 'in', 0)], before: null })
    expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/)
    expect(out).toContain('\uFFFD]0;pwned\uFFFD\uFFFD[2Jhi\uFFFDthere')
    expect(formatHistory({ messages: [message('pay \u202egpj.exe', 'in', 0)], before: null })).toContain('pay \uFFFDgpj.exe')

    const contact: Contact = {
      id: ID,
      name: 'ops\u001b[31m',
      presence: 'online',
      blocked: false,
      verified: true,
      unread: 2,
      lastMessage: null,
      lastActivity: 0,
      addedAt: 0,
      announcedName: null
    }
    const table = formatContacts([contact])
    expect(table).not.toContain('\u001b')
    expect(table.split('\n')[1]).toMatch(new RegExp(`^ops\uFFFD\\[31m  ${ID}  online    2       verified$`))
  })

  it('labels the network mode and says when no node runs', () => {
    expect(formatStatus({ mode: 'lan', peers: 3, contactsOnline: 1, lanDiscovery: true })).toContain('network:         LAN only\npeers connected: 3\ncontacts online: 1')
    expect(formatStatus(null)).toContain('not running')
  })
})

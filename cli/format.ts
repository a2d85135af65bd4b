import type { Contact, ContactRequest, GroupHistoryPage, GroupInfo, GroupMessage, HistoryPage, Message, NetworkStatus, SearchHit } from '../core/api/types'
import { callLineText } from '../core/api/call-line'

// Human-readable renderings; `--json` prints the API objects themselves instead.

const MODE_LABEL: Record<NetworkStatus['mode'], string> = {
  internet: 'internet',
  lan: 'LAN only',
  offline: 'offline'
}

export function formatTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ')
}

/**
 * Replaces what a peer could use to rewrite the terminal (escape sequences, CR) or to reorder what is
 * shown (bidirectional overrides).
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '\uFFFD')
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, col) => Math.max(...rows.map((r) => r[col].length)))
  return rows.map((r) => r.map((cell, col) => cell.padEnd(widths[col])).join('  ').trimEnd()).join('\n') + '\n'
}

export function formatContacts(contacts: Contact[]): string {
  if (contacts.length === 0) return 'no contacts (add one with: cairn add ID --name NAME)\n'
  return table([
    ['NAME', 'ID', 'PRESENCE', 'UNREAD', 'FLAGS'],
    ...contacts.map((c) => [
      printable(c.name),
      c.id,
      c.presence,
      String(c.unread),
      [c.blocked ? 'blocked' : '', c.verified ? 'verified' : '', c.disappearing ? `disappearing ${formatTimer(c.disappearing)}` : ''].filter(Boolean).join(',')
    ])
  ])
}

export function formatRequests(requests: ContactRequest[]): string {
  if (requests.length === 0) return 'no contact requests\n'
  return table([
    ['ID', 'ANNOUNCED NAME (unverified)', 'RECEIVED'],
    ...requests.map((r) => [r.id, printable(r.name), formatTime(r.receivedAt)])
  ])
}

/** "1 day", "4 weeks", "off": a disappearing-message setting as a person reads it. */
export function formatTimer(seconds: number): string {
  if (seconds === 0) return 'off'
  const units: Array<[number, string]> = [[604_800, 'week'], [86_400, 'day'], [3600, 'hour'], [60, 'minute'], [1, 'second']]
  const [unit, name] = units.find(([u]) => seconds % u === 0)!
  const n = seconds / unit
  return `${n} ${name}${n === 1 ? '' : 's'}`
}

export function formatMessage(m: Message): string {
  const arrow = m.direction === 'in' ? '<' : '>'
  if (m.timer !== undefined) return `${formatTime(m.sentAt)} * ${m.direction === 'in' ? 'they' : 'you'} set disappearing messages to ${formatTimer(m.timer)}\n`
  if (m.call) return `${formatTime(m.sentAt)} * ${callLineText(m.direction, m.call)}\n`
  if (m.deleted) return `${formatTime(m.sentAt)} ${arrow} (message deleted)\n`
  const state = m.direction === 'out' ? `  [${m.state}]` : ''
  const quote = m.replyTo ? `(re ${printable(m.replyTo)}) ` : ''
  const reacted = [m.reactions?.mine && `you ${m.reactions.mine}`, m.reactions?.theirs && `they ${m.reactions.theirs}`].filter(Boolean)
  const reactions = reacted.length > 0 ? `  (${printable(reacted.join(', '))})` : ''
  const edited = m.edited ? ' (edited)' : ''
  const file = m.file ? `[file ${printable(m.file.name)}, ${formatSize(m.file.size)}, ${m.file.state}: ${m.id}]${m.text ? ' ' : ''}` : ''
  return `${formatTime(m.sentAt)} ${arrow} ${quote}${file}${printable(m.text)}${edited}${state}${reactions}\n`
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(1)} ${units[unit]}`
}

/** One line per file, oldest first: message id (for get-file), direction, state, size, type, name. */
export function formatFiles(messages: Message[]): string {
  if (messages.length === 0) return 'no files\n'
  return [...messages]
    .reverse()
    .map((m) => `${m.id}  ${m.direction === 'in' ? '<' : '>'}  ${m.file!.state.padEnd(11)} ${formatSize(m.file!.size).padStart(10)}  ${m.file!.mediaType}  ${printable(m.file!.name)}\n`)
    .join('')
}

/** Oldest first, as a conversation reads; the API pages newest first. */
export function formatHistory(page: HistoryPage): string {
  if (page.messages.length === 0) return 'no messages\n'
  return [...page.messages].reverse().map(formatMessage).join('')
}

/** One line per hit, newest first: when, with whom, direction, message id, and the text around the match. */
export function formatSearch(hits: SearchHit[], contacts: Contact[]): string {
  if (hits.length === 0) return 'no messages found\n'
  const names = new Map(contacts.map((c) => [c.id, c.name]))
  return hits
    .map((h) => `${formatTime(h.sentAt)}  ${printable(names.get(h.contact) ?? h.contact)} ${h.direction === 'in' ? '<' : '>'} ${h.message}  ${printable(h.snippet.replace(/\s+/g, ' '))}\n`)
    .join('')
}

/** A running node's status, or null when none runs on the profile. */
export function formatStatus(status: NetworkStatus | null): string {
  if (!status) return 'node:            not running (start it with: cairn run)\nnetwork:         offline\n'
  return (
    [
      'node:            running',
      `network:         ${MODE_LABEL[status.mode]}`,
      `peers connected: ${status.peers}`,
      `contacts online: ${status.contactsOnline}`,
      `LAN discovery:   ${status.lanDiscovery ? 'on' : 'off'}`
    ].join('\n') + '\n'
  )
}

export function formatGroups(groups: GroupInfo[]): string {
  if (groups.length === 0) return 'no groups (make one with: cairn group create NAME [CONTACT…])\n'
  return table([
    ['NAME', 'ID', 'MEMBERS', 'UNREAD', 'STATUS'],
    ...groups.map((g) => [printable(g.name), g.id.slice(0, 12), String(g.members.length), String(g.unread), g.admin ? `${g.status},admin` : g.status])
  ])
}

export function formatGroupMembers(group: GroupInfo): string {
  return table([['NAME', 'ID', 'ROLE'], ...group.members.map((m) => [printable(m.name), m.id, m.role])])
}

/** One line of a group: author and text, a system line in brackets; my messages with "delivered to N of M". */
export function formatGroupLine(m: GroupMessage): string {
  if (m.kind === 'system') return `-- ${printable(m.text)}\n`
  const text = m.unreadable ? '(no key for this message)' : printable(m.text)
  const state = m.direction === 'out' ? `  [delivered ${m.delivered}/${m.of}, read ${m.read}/${m.of}]` : ''
  return `${formatTime(m.sentAt)} ${printable(m.authorName)}: ${text}${state}\n`
}

export function formatGroupHistory(page: GroupHistoryPage): string {
  if (page.messages.length === 0) return 'no messages\n'
  return [...page.messages].reverse().map(formatGroupLine).join('')
}

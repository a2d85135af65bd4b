import type { Message } from '../../../core/api/types'
import { dateFormat, userLocales } from './format'

export type Row =
  | { kind: 'day'; key: string; label: string }
  | { kind: 'unread'; key: string; count: number }
  | { kind: 'message'; key: string; message: Message; runStart: boolean }

/** Consecutive messages from the same side within this gap read as one run (one name, one tail). */
const RUN_GAP_MS = 5 * 60_000

function dayKey(at: number): string {
  const d = new Date(at)
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
}

export function dayLabel(at: number, now: number = Date.now(), locales = userLocales()): string {
  const key = dayKey(at)
  if (key === dayKey(now)) return 'Today'
  const yesterday = new Date(now)
  yesterday.setDate(yesterday.getDate() - 1)
  if (key === dayKey(yesterday.getTime())) return 'Yesterday'
  const sameYear = new Date(at).getFullYear() === new Date(now).getFullYear()
  return dateFormat({ weekday: 'long', day: 'numeric', month: 'long', ...(sameYear ? {} : { year: 'numeric' }) }, locales).format(at)
}

/** The first of the last `unread` incoming messages, where a "new messages" marker belongs. */
export function firstUnread(messages: readonly Message[], unread: number): string | null {
  let left = unread
  for (let i = messages.length - 1; i >= 0 && left > 0; i--) {
    if (messages[i].direction !== 'in') continue
    if (--left === 0) return messages[i].id
  }
  return null
}

/**
 * Messages (oldest first) as rows with a day separator wherever the day changes, and a marker
 * before `unreadFrom`. The author's clock (sentAt) decides the day, as it does the time shown;
 * history order is never changed, so a skewed clock yields an extra separator rather than a
 * reordered conversation.
 */
export function groupByDay(
  messages: readonly Message[],
  now: number = Date.now(),
  unread: { from: string; count: number } | null = null
): Row[] {
  const rows: Row[] = []
  let lastDay = ''
  let prev: Message | null = null
  for (const message of messages) {
    const day = dayKey(message.sentAt)
    const newDay = day !== lastDay
    if (newDay) {
      rows.push({ kind: 'day', key: `day:${message.id}`, label: dayLabel(message.sentAt, now) })
      lastDay = day
    }
    const marked = unread !== null && message.id === unread.from
    if (marked) rows.push({ kind: 'unread', key: 'unread', count: unread.count })
    const runStart =
      newDay ||
      marked ||
      prev === null ||
      prev.direction !== message.direction ||
      message.sentAt - prev.sentAt > RUN_GAP_MS
    rows.push({ kind: 'message', key: message.id, message, runStart })
    prev = message
  }
  return rows
}

import type { Message } from '../../../core/api/types'
import type { DevicePreferences } from './preferences'

const BODY_CHARS = 120

/**
 * The desktop notification for an incoming message, or null: none for a muted conversation or one
 * the user is looking at, and only as much of sender and text as the preference allows.
 */
export function notificationFor(
  m: Message,
  from: string,
  prefs: DevicePreferences,
  looking: boolean
): { title: string; body: string; tag: string } | null {
  if (m.direction !== 'in' || looking || prefs.muted.includes(m.contact)) return null
  const flat = m.text.replace(/\s+/g, ' ').trim()
  const text = flat.length > BODY_CHARS ? `${flat.slice(0, BODY_CHARS - 1)}…` : flat
  switch (prefs.notify) {
    case 'name-and-text':
      return { title: from, body: text, tag: m.contact }
    case 'name':
      return { title: from, body: 'New message', tag: m.contact }
    case 'nothing':
      return { title: 'Cairn', body: 'New message', tag: 'cairn' }
  }
}

/** The web shell notifies through the browser; Electron's main process does it for the app. */
export function browserNotifications(): boolean {
  return typeof Notification !== 'undefined' && !window.cairn
}

// What a desktop notification may show, decided in one place for both shells that notify: the web
// shell's page (the browser's Notification API) and Electron's main process, which cannot read the
// page's storage and is told the user's choice through the bridge.
import type { Call, ContactId, Message } from './types'
import { CONTACT_ID_MAX } from './validate'

export type NotifyShows = 'name-and-text' | 'name' | 'nothing'
export const NOTIFY_CHOICES: readonly NotifyShows[] = ['name-and-text', 'name', 'nothing']

/** The part of the device's preferences that decides notifications. */
export interface NotificationPrefs {
  notify: NotifyShows
  muted: ContactId[]
}

/** Until the page has said what the user chose, a notification shows neither name nor text. */
export const UNTOLD_PREFS: NotificationPrefs = { notify: 'nothing', muted: [] }
export const MAX_MUTED = 10_000
const BODY_CHARS = 120

export interface Note {
  title: string
  body: string
  /** Notifications with one tag replace each other: one per conversation, or one for all. */
  tag: string
}

export function preview(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim()
  return flat.length > BODY_CHARS ? `${flat.slice(0, BODY_CHARS - 1)}…` : flat
}

/**
 * The notification for an incoming message, or null: none for a muted conversation or one the user
 * is looking at, and only as much of sender and text as the preference allows.
 */
export function messageNote(m: Message, from: string, prefs: NotificationPrefs, looking: boolean): Note | null {
  if (m.direction !== 'in' || looking || prefs.muted.includes(m.contact)) return null
  // A deletion for everyone or a timer change arrives as a message event too, and is no new message.
  if (m.deleted || m.timer !== undefined) return null
  switch (prefs.notify) {
    case 'name-and-text':
      return { title: from, body: preview(m.text), tag: m.contact }
    case 'name':
      return { title: from, body: 'New message', tag: m.contact }
    case 'nothing':
      return { title: 'Cairn', body: 'New message', tag: 'cairn' }
  }
}

/** An incoming call rings even in a muted conversation (a call is not a message); the name as allowed. */
export function callNote(call: Call, from: string, prefs: NotificationPrefs): Note | null {
  if (call.direction !== 'in' || call.phase !== 'ringing') return null
  const body = call.video ? 'Incoming video call' : 'Incoming call'
  return prefs.notify === 'nothing' ? { title: 'Cairn', body, tag: 'cairn' } : { title: from, body, tag: call.contact }
}

/** The preferences a page sent, or null when they are not of this shape (checked at the bridge). */
export function parseNotificationPrefs(value: unknown): NotificationPrefs | null {
  if (typeof value !== 'object' || value === null) return null
  const { notify, muted } = value as { notify?: unknown; muted?: unknown }
  if (!NOTIFY_CHOICES.includes(notify as NotifyShows)) return null
  if (!Array.isArray(muted) || muted.length > MAX_MUTED) return null
  if (!muted.every((m) => typeof m === 'string' && m.length > 0 && m.length <= CONTACT_ID_MAX)) return null
  return { notify: notify as NotifyShows, muted: [...(muted as string[])] }
}

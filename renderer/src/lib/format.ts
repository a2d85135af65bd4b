import type { NetworkStatus, Presence } from '../../../core/api/types'

/** The user's languages in order of preference (the system's, in Electron); none outside a browser. */
export function userLocales(): readonly string[] | undefined {
  return typeof navigator === 'undefined' ? undefined : navigator.languages
}

const formats = new Map<string, Intl.DateTimeFormat>()

/**
 * A cached formatter in the locale's own conventions (12 or 24 hours, order of day and month):
 * styles, not fixed fields, so nothing forces a leading zero or a clock the locale does not use.
 */
export function dateFormat(options: Intl.DateTimeFormatOptions, locales = userLocales()): Intl.DateTimeFormat {
  const key = JSON.stringify([locales, options])
  let f = formats.get(key)
  if (!f) {
    f = new Intl.DateTimeFormat(locales as string[] | undefined, options)
    formats.set(key, f)
  }
  return f
}

export function timeOfDay(at: number, locales = userLocales()): string {
  return dateFormat({ timeStyle: 'short' }, locales).format(at)
}

/** Date and time in full, for a message's tooltip. */
export function fullStamp(at: number, locales = userLocales()): string {
  return dateFormat({ dateStyle: 'full', timeStyle: 'short' }, locales).format(at)
}

/** Short relative stamp for the contact list: time today, weekday this week, else the date. */
export function shortStamp(at: number, now: number = Date.now(), locales = userLocales()): string {
  const d = new Date(at)
  const n = new Date(now)
  if (d.toDateString() === n.toDateString()) return timeOfDay(at, locales)
  if (now - at < 6 * 86_400_000) return dateFormat({ weekday: 'short' }, locales).format(at)
  return dateFormat({ day: 'numeric', month: 'short' }, locales).format(at)
}

export const PRESENCE_LABEL: Record<Presence, string> = {
  online: 'Online',
  lan: 'On this network',
  offline: 'Offline'
}

export function networkLabel(status: NetworkStatus | null): string {
  if (!status) return 'Connecting…'
  const peers = `${status.peers} ${status.peers === 1 ? 'peer' : 'peers'}`
  if (status.mode === 'internet') return `Internet · ${peers}`
  if (status.mode === 'lan') return `LAN only · ${peers}`
  return 'Offline'
}

// Preferences of this device's app rather than of the identity (how long until it locks itself, what
// notifications show), kept in the page's storage. A damaged or foreign value reads as the default.
import { MAX_MUTED, NOTIFY_CHOICES, type NotificationPrefs, type NotifyShows } from '../../../core/api/notification'

export { NOTIFY_CHOICES, type NotifyShows }

export interface DevicePreferences extends NotificationPrefs {
  /** Minutes without input before the app locks; 0 never. */
  autoLockMinutes: number
}

export const AUTO_LOCK_CHOICES: readonly number[] = [0, 1, 5, 15, 30, 60]
export const PREFERENCES_KEY = 'cairn.preferences.v1'
const DEFAULTS: DevicePreferences = { autoLockMinutes: 0, notify: 'name-and-text', muted: [] }

export function parsePreferences(text: string | null): DevicePreferences {
  if (!text) return { ...DEFAULTS }
  let v: Partial<Record<keyof DevicePreferences, unknown>>
  try {
    v = JSON.parse(text)
  } catch {
    return { ...DEFAULTS }
  }
  if (typeof v !== 'object' || v === null) return { ...DEFAULTS }
  return {
    autoLockMinutes: AUTO_LOCK_CHOICES.includes(v.autoLockMinutes as number) ? (v.autoLockMinutes as number) : DEFAULTS.autoLockMinutes,
    notify: NOTIFY_CHOICES.includes(v.notify as NotifyShows) ? (v.notify as NotifyShows) : DEFAULTS.notify,
    muted: Array.isArray(v.muted) ? v.muted.filter((m): m is string => typeof m === 'string').slice(0, MAX_MUTED) : []
  }
}

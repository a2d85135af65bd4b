import type { ContactId } from '../../../core/api/types'
import { parsePreferences, PREFERENCES_KEY, type DevicePreferences } from './preferences'

/** The device's preferences, reactive, saved on every change. */
export class Preferences {
  current = $state<DevicePreferences>(parsePreferences(read()))

  update(patch: Partial<DevicePreferences>): void {
    this.current = { ...this.current, ...patch }
    try {
      localStorage.setItem(PREFERENCES_KEY, JSON.stringify(this.current))
    } catch {
      // storage refused (private mode, full): the choice holds until the page closes
    }
  }

  isMuted(contact: ContactId): boolean {
    return this.current.muted.includes(contact)
  }

  setMuted(contact: ContactId, muted: boolean): void {
    const rest = this.current.muted.filter((m) => m !== contact)
    this.update({ muted: muted ? [...rest, contact] : rest })
  }
}

function read(): string | null {
  try {
    return localStorage.getItem(PREFERENCES_KEY)
  } catch {
    return null
  }
}

export const preferences = new Preferences()

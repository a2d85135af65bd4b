import type { NetworkStatus, Presence } from '../../../core/api/types'

export function timeOfDay(at: number): string {
  return new Date(at).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
}

/** Short relative stamp for the contact list: time today, weekday this week, else the date. */
export function shortStamp(at: number, now: number = Date.now()): string {
  const d = new Date(at)
  const n = new Date(now)
  if (d.toDateString() === n.toDateString()) return timeOfDay(at)
  if (now - at < 6 * 86_400_000) return d.toLocaleDateString(undefined, { weekday: 'short' })
  return d.toLocaleDateString(undefined, { day: 'numeric', month: 'short' })
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

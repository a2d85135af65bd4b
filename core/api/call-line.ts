// How a call line of the history reads, the same in the app, the CLI and the contact list:
// "Missed call", "Outgoing video call, 3:12".
import type { CallLine } from './call-types'

/** m:ss, or h:mm:ss from an hour on. */
export function callDuration(ms: number): string {
  const s = Math.round(ms / 1000)
  const mmss = `${Math.floor(s / 60) % 60}:${String(s % 60).padStart(2, '0')}`
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mmss.padStart(5, '0')}` : mmss
}

export function callLineText(direction: 'in' | 'out', line: CallLine): string {
  const kind = line.video ? 'video call' : 'call'
  switch (line.outcome) {
    case 'answered':
      return `${direction === 'in' ? 'Incoming' : 'Outgoing'} ${kind}, ${callDuration(line.durationMs)}`
    case 'missed':
      return `Missed ${kind}`
    case 'declined':
      return direction === 'in' ? `Declined ${kind}` : `Outgoing ${kind}, declined`
    case 'busy':
      return `Outgoing ${kind}, busy`
    case 'unavailable':
      return `Outgoing ${kind}, could not be taken there`
    case 'unanswered':
      return `Outgoing ${kind}, no answer`
    case 'cancelled':
      return `Cancelled ${kind}`
    case 'failed':
      return `${direction === 'in' ? 'Incoming' : 'Outgoing'} ${kind}, failed`
  }
}

// Disappearing messages as the conversation shows them: the choices, and the line a change leaves.
import type { Message } from '../../../core/api/types'
import { DISAPPEARING_CHOICES } from '../../../core/api/validate'

const LABEL: Record<number, string> = {
  0: 'Off',
  300: '5 minutes',
  3600: '1 hour',
  28_800: '8 hours',
  86_400: '1 day',
  604_800: '1 week',
  2_419_200: '4 weeks'
}

/** "1 day"; a value this version has no name for still reads as a duration. */
export function timerLabel(seconds: number): string {
  return LABEL[seconds] ?? `${Math.round(seconds / 60)} minutes`
}

export const TIMER_OPTIONS = DISAPPEARING_CHOICES.map((seconds) => ({ seconds, label: timerLabel(seconds) }))

/** "Bob set disappearing messages to 1 day", for a timer line of the conversation with `name`. */
export function timerLine(m: Message, name: string): string {
  const who = m.direction === 'out' ? 'You' : name
  return m.timer ? `${who} set disappearing messages to ${timerLabel(m.timer).toLowerCase()}` : `${who} turned off disappearing messages`
}

import type { Reactions } from '../../../core/api/types'

/** The quick choices offered under a message, as most messengers do. */
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🙏'] as const

/** Reactions grouped by emoji with who gave them, mine first: what a bubble shows. */
export function reactionChips(r: Reactions | undefined, contactName: string): Array<{ emoji: string; count: number; who: string }> {
  if (!r) return []
  const chips: Array<{ emoji: string; count: number; who: string }> = []
  if (r.mine && r.mine === r.theirs) return [{ emoji: r.mine, count: 2, who: `You and ${contactName}` }]
  if (r.mine) chips.push({ emoji: r.mine, count: 1, who: 'You' })
  if (r.theirs) chips.push({ emoji: r.theirs, count: 1, who: contactName })
  return chips
}

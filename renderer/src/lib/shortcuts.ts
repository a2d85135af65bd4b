export type ShortcutAction = 'next-chat' | 'previous-chat' | 'next-unread' | 'find' | 'find-in-chat' | 'help' | 'close'

export interface ShortcutKey {
  key: string
  ctrlKey: boolean
  metaKey: boolean
  altKey: boolean
  shiftKey: boolean
  isComposing: boolean
}

/** What the help panel lists, in this order; `keys` is written for people, not parsed. */
export const SHORTCUTS: ReadonlyArray<{ action: ShortcutAction; keys: string; does: string }> = [
  { action: 'next-chat', keys: 'Alt + ↓', does: 'Next conversation' },
  { action: 'previous-chat', keys: 'Alt + ↑', does: 'Previous conversation' },
  { action: 'next-unread', keys: 'Alt + Shift + ↓', does: 'Next conversation with unread messages' },
  { action: 'find', keys: 'Ctrl + K', does: 'Search contacts and messages' },
  { action: 'find-in-chat', keys: 'Ctrl + Shift + F', does: 'Search the open conversation' },
  { action: 'help', keys: 'Ctrl + /', does: 'Show these shortcuts' },
  { action: 'close', keys: 'Esc', does: 'Close the open panel' }
]

/**
 * The app-wide shortcut a key press means, or null. Every one but Esc needs a modifier, so none
 * fires while typing a message; Ctrl and ⌘ are the same, for macOS.
 */
export function shortcutFor(e: ShortcutKey): ShortcutAction | null {
  if (e.isComposing) return null
  const mod = e.ctrlKey || e.metaKey
  if (e.altKey && !mod && e.key === 'ArrowDown') return e.shiftKey ? 'next-unread' : 'next-chat'
  if (e.altKey && !mod && !e.shiftKey && e.key === 'ArrowUp') return 'previous-chat'
  if (mod && !e.altKey && !e.shiftKey && e.key.toLowerCase() === 'k') return 'find'
  if (mod && !e.altKey && e.shiftKey && e.key.toLowerCase() === 'f') return 'find-in-chat'
  if (mod && !e.altKey && e.key === '/') return 'help'
  if (e.key === 'Escape' && !mod && !e.altKey && !e.shiftKey) return 'close'
  return null
}

/** The contact `step` places from `current` in the list's order, wrapping around; the first when none is open. */
export function stepContact(order: readonly string[], current: string | null, step: 1 | -1): string | null {
  if (order.length === 0) return null
  const at = current === null ? -1 : order.indexOf(current)
  if (at === -1) return step === 1 ? order[0] : order[order.length - 1]
  return order[(at + step + order.length) % order.length]
}

import { TEXT_MAX_BYTES } from '../../../core/api/validate'

export type ComposerAction = 'send' | 'newline' | 'none'

export interface ComposerKey {
  key: string
  shiftKey: boolean
  isComposing: boolean
}

/** Enter sends, Shift+Enter inserts a newline, and Enter that confirms an IME composition does neither. */
export function composerAction(e: ComposerKey): ComposerAction {
  if (e.key !== 'Enter' || e.isComposing) return 'none'
  return e.shiftKey ? 'newline' : 'send'
}

/** What would be sent for this draft, or null when there is nothing worth sending. */
export function outgoingText(draft: string): string | null {
  const text = draft.replace(/^\s*\n|\s+$/g, '')
  return text.trim() === '' ? null : text
}

/** Whether a draft is over the core's UTF-8 size limit; bytes are only counted when it could be. */
export function overLimit(draft: string): boolean {
  return draft.length * 3 > TEXT_MAX_BYTES && new TextEncoder().encode(draft).byteLength > TEXT_MAX_BYTES
}

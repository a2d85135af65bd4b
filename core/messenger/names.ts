import { CairnError } from '../api/errors'

const MAX_NAME = 64

/**
 * A display or contact name as it may be stored and announced: trimmed, 1 to 64 characters, no
 * control characters (the control protocol refuses those, so such a name could never be sent).
 */
export function cleanName(name: string, label: string): string {
  const trimmed = typeof name === 'string' ? name.trim() : ''
  if (trimmed.length < 1 || [...trimmed].length > MAX_NAME) throw new CairnError('invalid-argument', `${label} must be 1 to ${MAX_NAME} characters`)
  if (/\p{Cc}/u.test(trimmed)) throw new CairnError('invalid-argument', `${label} must not contain control characters`)
  return trimmed
}

// The home node's refusals. They cross the wire (a stable code and a sentence), so a device, a
// contact or a stranger learns exactly why the box said no, and the box keeps running.
export const HOME_ERROR_CODES = [
  'malformed',
  'not-paired',
  'bad-pairing-code',
  'revoked',
  'quota-exceeded',
  'not-granted',
  'no-profile',
  'limit',
  'unavailable',
  'box-exists',
  'no-box'
] as const

export type HomeErrorCode = (typeof HOME_ERROR_CODES)[number]

export class HomeError extends Error {
  constructor(
    readonly code: HomeErrorCode,
    message: string
  ) {
    super(message)
    this.name = 'HomeError'
  }
}

export function isHomeErrorCode(code: string): code is HomeErrorCode {
  return (HOME_ERROR_CODES as readonly string[]).includes(code)
}

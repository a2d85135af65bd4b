export type RatchetErrorCode =
  | 'malformed'
  | 'unsupported-version'
  | 'auth-failed'
  | 'duplicate'
  | 'too-many-skipped'
  | 'bad-signature'
  | 'unknown-prekey'
  | 'wrong-session'

export class RatchetError extends Error {
  readonly code: RatchetErrorCode

  constructor(code: RatchetErrorCode, message: string) {
    super(message)
    this.name = 'RatchetError'
    this.code = code
  }
}

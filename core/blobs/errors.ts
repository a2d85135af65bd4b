export type BlobErrorCode =
  | 'malformed-descriptor'
  | 'unsupported-version'
  | 'bad-name'
  | 'too-large'
  | 'bad-chunk'
  | 'hash-mismatch'
  | 'blob-missing'
  | 'unavailable'
  | 'bad-preview'
  | 'wrong-store'
  | 'aborted'

/** Any file-transfer failure; `code` says what kind, `message` says what exactly, fit for a user. */
export class BlobError extends Error {
  readonly code: BlobErrorCode

  constructor(code: BlobErrorCode, message: string) {
    super(message)
    this.name = 'BlobError'
    this.code = code
  }
}

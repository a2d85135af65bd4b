import type { CairnErrorShape, ErrorCode } from './types'

/** The one error type that crosses the API: a stable code for programs, a sentence for people. */
export class CairnError extends Error implements CairnErrorShape {
  readonly code: ErrorCode

  constructor(code: ErrorCode, message: string) {
    super(message)
    this.name = 'CairnError'
    this.code = code
  }

  toJSON(): CairnErrorShape {
    return { code: this.code, message: this.message }
  }

  static from(err: unknown): CairnError {
    if (err instanceof CairnError) return err
    if (isErrorShape(err)) return new CairnError(err.code, err.message)
    return new CairnError('internal', err instanceof Error ? err.message : String(err))
  }
}

export function isErrorShape(value: unknown): value is CairnErrorShape {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as CairnErrorShape).code === 'string' &&
    typeof (value as CairnErrorShape).message === 'string'
  )
}

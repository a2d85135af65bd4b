// One way to decode bytes from a peer or a file, for every binary codec: a failure is always a
// DecodeError with a reason fit for a log, never a RangeError from deep inside compact-encoding, and
// a value must use all of its bytes, so nothing can be smuggled after it.
import type * as c from 'compact-encoding'

export type DecodeErrorCode = 'malformed' | 'unsupported-version'

/** Bytes that are not a valid value of a format; `message` says why. */
export class DecodeError extends Error {
  readonly code: DecodeErrorCode

  constructor(message: string, code: DecodeErrorCode = 'malformed') {
    super(message)
    this.name = 'DecodeError'
    this.code = code
  }
}

export interface DecodeMessages {
  /** The reason given when the value runs past the end of the bytes. */
  truncated: string
  trailing(count: number): string
}

/**
 * Reads one value that must fill `state` to its end. A DecodeError from `read` passes through; any
 * other failure while reading means the bytes ran out (compact-encoding throws on reads past the end).
 */
export function decodeExact<T>(state: c.State, read: (state: c.State) => T, messages: DecodeMessages): T {
  let value: T
  try {
    value = read(state)
  } catch (err) {
    if (err instanceof DecodeError) throw err
    throw new DecodeError(messages.truncated)
  }
  if (state.start !== state.end) throw new DecodeError(messages.trailing(state.end - state.start))
  return value
}

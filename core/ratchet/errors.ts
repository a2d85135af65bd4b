import { DecodeError, type DecodeErrorCode } from '../protocol/decode'

export type RatchetErrorCode =
  | DecodeErrorCode
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

/**
 * Runs one of the ratchet's decoders. They fail with the protocol's DecodeError like every codec;
 * the ratchet's callers get every failure, of the bytes or of the cryptography, as one RatchetError.
 */
export function ratchetDecode<T>(decode: () => T): T {
  try {
    return decode()
  } catch (err) {
    if (err instanceof DecodeError) throw new RatchetError(err.code, err.message)
    throw err
  }
}

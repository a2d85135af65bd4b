import * as c from 'compact-encoding'
import { DecodeError, decodeExact } from '../protocol/decode'

export type GroupErrorCode =
  /** Bytes that do not parse as this build's group format, or exceed its size bounds. */
  | 'malformed'
  | 'unsupported-version'
  /** An entry for another group than the one it was fed to. */
  | 'unknown-group'
  /** A log that no accepted membership operation has bound to a member. */
  | 'unknown-writer'
  /** The entry's author is not the identity its log is bound to. */
  | 'wrong-author'
  | 'bad-signature'
  /** An entry already held (same position, same bytes) offered again. */
  | 'replayed'
  /** An entry whose position is not the next one of its log. */
  | 'out-of-order'
  /** Two different signed entries at one position of one member's log, or a head naming a version I do not hold. */
  | 'fork'
  /** Too many entries held back waiting for their causal predecessors. */
  | 'backlog-full'
  /** A membership change refused by the group's rules (not an admin, not a member, unknown target). */
  | 'not-allowed'
  /** Decryption failed: wrong key, tampered bytes. */
  | 'auth-failed'
  /** No sender key for this message: sent before I joined, after I was removed, or never shared with me. */
  | 'no-sender-key'
  /** The message key was used already (a replay) or evicted. */
  | 'duplicate'
  | 'too-many-skipped'

/** Every refusal in core/groups: a stable code for programs, a sentence for people. */
export class GroupError extends Error {
  readonly code: GroupErrorCode

  constructor(code: GroupErrorCode, message: string) {
    super(message)
    this.name = 'GroupError'
    this.code = code
  }
}

/**
 * Reads one value of a group format that must fill `bytes` exactly, through the protocol's one strict
 * decoder; its DecodeError (thrown by `read` for a bad value, or for bytes that run out or run over)
 * becomes a GroupError with the same code.
 */
export function decodeGroupFormat<T>(bytes: Uint8Array, what: string, read: (state: c.State) => T): T {
  if (!(bytes instanceof Uint8Array)) throw new GroupError('malformed', `${what}: not a byte array`)
  const buf = Buffer.from(bytes)
  try {
    return decodeExact(c.state(0, buf.byteLength, buf), read, {
      truncated: `${what}: truncated (${buf.byteLength} bytes)`,
      trailing: (count) => `${what}: ${count} unexpected trailing bytes`
    })
  } catch (err) {
    if (err instanceof DecodeError) throw new GroupError(err.code, err.message)
    throw err
  }
}

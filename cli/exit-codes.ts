import { CairnError } from '../core/api/errors'

/** Exit statuses, documented in `cairn --help` so scripts can tell a typo from a failure. */
export const EXIT = {
  ok: 0,
  /** The command was understood but failed: no profile, not found, profile busy, network, … */
  runtime: 1,
  /** The command line is wrong: unknown command or option, missing or malformed argument. */
  usage: 2,
  /** No passphrase was available, or it was wrong. */
  passphrase: 3,
  /** A send's outcome is unknown: the node went away mid-call. Retried with the same --client-id, it is sent once. */
  unknown: 4
} as const

/** A mistake in the command line itself; carries the API's 'invalid-argument' code. */
export class UsageError extends CairnError {
  constructor(message: string) {
    super('invalid-argument', message)
  }
}

/** A send whose outcome is unknown: the message may or may not be stored. */
export class OutcomeUnknown extends CairnError {
  constructor(message: string) {
    super('internal', message)
  }
}

export function exitCodeFor(err: unknown): number {
  if (err instanceof OutcomeUnknown) return EXIT.unknown
  const { code } = CairnError.from(err)
  if (code === 'invalid-argument' || code === 'invalid-contact-id') return EXIT.usage
  if (code === 'wrong-passphrase' || code === 'locked') return EXIT.passphrase
  return EXIT.runtime
}

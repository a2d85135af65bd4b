// Every call that proves the passphrase (unlock, change, and those that reveal or erase, see host.ts)
// goes through one guard: one at a time, so a page firing many calls cannot run many Argon2id
// derivations (64 MiB each) at once, and after each wrong passphrase the next attempt waits longer
// (doubling from GUARD_FIRST_DELAY_MS to GUARD_MAX_DELAY_MS, back to none after a right one), so a
// stolen session, or anything else that reaches a shell, guesses slowly.
import { CairnError } from '../api/errors'

export const GUARD_FIRST_DELAY_MS = 250
export const GUARD_MAX_DELAY_MS = 10_000

export class PassphraseGuard {
  private queue: Promise<void> = Promise.resolve()
  private failures = 0

  constructor(private readonly wait: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms))) {}

  /** Runs `attempt` after those before it and the delay their failures earned. */
  run<T>(attempt: () => Promise<T>): Promise<T> {
    const turn = this.queue.then(async () => {
      if (this.failures > 0) await this.wait(Math.min(GUARD_FIRST_DELAY_MS * 2 ** (this.failures - 1), GUARD_MAX_DELAY_MS))
      try {
        const result = await attempt()
        this.failures = 0
        return result
      } catch (err) {
        if (CairnError.from(err).code === 'wrong-passphrase') this.failures++
        throw err
      }
    })
    this.queue = turn.then(
      () => undefined,
      () => undefined
    )
    return turn
  }
}

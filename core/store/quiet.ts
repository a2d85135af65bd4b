// When the store applies its journals (journal.ts): once no write came for a while. The steps of a
// catch-up and the batches of a burst arrive a few milliseconds apart, and applying journals in
// between would stall each of them; a write that arrives while the store waits goes first.

/** No write for this long: the journals may be applied. */
const QUIET_MS = 100

export class Quiet {
  private last = 0
  private wake: (() => void) | null = null

  /** A write arrived. */
  touch(): void {
    this.last = performance.now()
    this.wake?.()
  }

  /** Ends a wait at once (the store is closing). */
  end(): void {
    this.wake?.()
  }

  /** Resolves once no write came for QUIET_MS (at once if `now`), or as soon as one arrives; timers and I/O run meanwhile. */
  wait(now: boolean): Promise<void> {
    const ms = now ? 0 : Math.max(0, this.last + QUIET_MS - performance.now())
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.wake = null
        resolve()
      }
      const timer = setTimeout(done, ms)
      this.wake = done
    })
  }
}

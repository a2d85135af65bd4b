// When the store applies its journals (journal.ts): once no write came for a while. The steps of a
// catch-up and the batches of a burst arrive a few milliseconds apart, and applying journals in
// between would stall each of them; a write that arrives while the store waits goes first.
// While a catch-up is known to be under way (Store.hold), the while is longer: its steps come as
// their blocks replicate, at times more than QUIET_MS apart, and journals applied in such a gap
// add blocks to the store's core that end its epoch, whose move (a copy of every live entry) then
// holds up the catch-up's next commits for seconds (measured: 5 of 11 s of a 10,000-message catch-up).

/** No write for this long: the journals may be applied. */
const QUIET_MS = 100
/** The same while a catch-up holds the store: long enough for a step's blocks to replicate, short enough that a stalled catch-up does not keep journals in memory for long. */
const HELD_QUIET_MS = 2000

export class Quiet {
  private last = 0
  private wake: (() => void) | null = null
  private holds = 0

  /** A write arrived. */
  touch(): void {
    this.last = performance.now()
    this.wake?.()
  }

  /** Ends a wait at once (the store is closing). */
  end(): void {
    this.wake?.()
  }

  /** Makes the quiet wait HELD_QUIET_MS until the returned release is called (once; a wait under way then ends). */
  hold(): () => void {
    this.holds++
    let released = false
    return () => {
      if (released) return
      released = true
      if (--this.holds === 0) this.wake?.()
    }
  }

  /** Resolves once no write came for QUIET_MS (HELD_QUIET_MS while held; at once if `now`), or as soon as one arrives or the hold ends; timers and I/O run meanwhile. */
  wait(now: boolean): Promise<void> {
    const ms = now ? 0 : Math.max(0, this.last + (this.holds > 0 ? HELD_QUIET_MS : QUIET_MS) - performance.now())
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

// How fast one contact's log is taken in. Whatever a contact appends, this node downloads at most
// LOG_LIMITS.burstBytes and then bytesPerSecond of it, and commits at most burstSteps and then
// stepsPerSecond steps of it (each step is one write to the store, whatever the blocks make it write:
// messages, the contact record, ratchet sessions with their skipped keys). The rest waits in the
// contact's log, not here: nothing is lost, it is only read later. Far above what people write, and
// sized so neither bucket binds on what they do write: a live chat takes one step per message (so
// steps refill at 50/s: at 1/s, a chat faster than a message a second fell behind after 32 messages
// and waited a second per message), and a week of a busy chat (10,000 messages, ~2.5 MB) fits in
// the byte burst and the step burst (128 blocks a step), so it catches up at the speed of
// replication rather than over a minute. A flooding contact still gets at most 8 MiB at once, then
// 16 KiB/s, and 50 store writes a second.
export interface LogLimits {
  burstBytes: number
  bytesPerSecond: number
  burstSteps: number
  stepsPerSecond: number
}

export const LOG_LIMITS: Readonly<LogLimits> = {
  burstBytes: 8 * 1024 * 1024,
  bytesPerSecond: 16 * 1024,
  burstSteps: 128,
  stepsPerSecond: 50
}

/**
 * A contact's two token buckets (bytes, steps), kept across the readers of their log. A step's bytes
 * are known only once its blocks are in, so they are spent after it; a step starts only while the
 * byte bucket is not in debt, so the bound is exceeded by at most one step (one block cap).
 */
export class LogBudget {
  private bytes: number
  private steps: number
  private at: number

  constructor(
    private readonly limits: LogLimits = LOG_LIMITS,
    private readonly now: () => number = Date.now
  ) {
    this.bytes = limits.burstBytes
    this.steps = limits.burstSteps
    this.at = now()
  }

  /** Milliseconds to wait before the next step may start; 0 starts it now (and takes its step). */
  wait(): number {
    this.refill()
    const { limits } = this
    if (this.bytes >= 0 && this.steps >= 1) {
      this.steps -= 1
      return 0
    }
    const forBytes = Math.max(0, -this.bytes / limits.bytesPerSecond)
    const forSteps = Math.max(0, (1 - this.steps) / limits.stepsPerSecond)
    return Math.max(1, Math.ceil(Math.max(forBytes, forSteps) * 1000))
  }

  /** The bytes a step downloaded. */
  spend(bytes: number): void {
    this.refill()
    this.bytes -= bytes
  }

  private refill(): void {
    const { limits } = this
    const now = this.now()
    const seconds = Math.max(0, now - this.at) / 1000
    this.at = now
    this.bytes = Math.min(limits.burstBytes, this.bytes + seconds * limits.bytesPerSecond)
    this.steps = Math.min(limits.burstSteps, this.steps + seconds * limits.stepsPerSecond)
  }
}

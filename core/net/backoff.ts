// A retry schedule that can never spin: one pending timer at most, delays doubling up to a cap, with
// jitter so two nodes that failed together do not retry in lockstep again.
export interface BackoffOptions {
  initialMs: number
  maxMs: number
}

export class Backoff {
  private timer: NodeJS.Timeout | null = null
  private delay: number
  private current = 0
  private stopped = true

  constructor(
    private readonly task: () => void,
    private readonly opts: BackoffOptions
  ) {
    this.delay = opts.initialMs
  }

  /** Starts over, from the shortest delay or from firstMs (within the cap). */
  restart(firstMs = this.opts.initialMs): void {
    this.stop()
    this.stopped = false
    this.delay = Math.min(Math.max(firstMs, this.opts.initialMs), this.opts.maxMs)
    this.schedule()
  }

  /** The longest the wait now pending (or the last one) may take; 0 before the first. */
  get currentMs(): number {
    return this.current
  }

  /** Starts from the shortest delay unless already running. */
  start(): void {
    if (this.stopped) this.restart()
  }

  /** Runs again from where the delays had got to: for failures that follow one another quickly. */
  resume(): void {
    if (!this.stopped) return
    this.stopped = false
    this.schedule()
  }

  stop(): void {
    this.stopped = true
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
  }

  private schedule(): void {
    this.current = this.delay
    const wait = this.delay / 2 + Math.random() * (this.delay / 2)
    this.delay = Math.min(this.delay * 2, this.opts.maxMs)
    this.timer = setTimeout(() => {
      this.timer = null
      if (this.stopped) return
      this.task()
      if (!this.stopped) this.schedule()
    }, wait)
    this.timer.unref()
  }
}

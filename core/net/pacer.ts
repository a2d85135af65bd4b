// A DHT's joins and lookups, a few memberships at a time, in the order asked. A node that joined all of
// its 1,000 contacts' pair swarms at once queued ~24,000 requests behind dht-rpc's congestion window
// (80 sends per 750 ms): the first contacts waited behind the last, the DHT's own reachability check
// timed out (the node then took itself for firewalled), and the backlog took minutes of CPU to drain.
// Re-lookups (retries of contacts not connected) wait behind joins and draw on a token bucket (burst,
// then perSecond): a few contacts retry on their own schedule, a thousand offline ones share a bounded rate.
// A key asked for again while it waits keeps its place and runs once: a task reads what is due when it runs.

// Past this, a task that has not settled (a query stuck on an unreachable DHT) frees its slot anyway.
const TASK_TIMEOUT_MS = 10_000

export interface PacerOptions {
  /** Tasks running at once. */
  limit: number
  /** Retries started at once at most, and per second after that. */
  burst: number
  perSecond: number
  timeoutMs?: number
}

export class Pacer {
  private readonly urgent = new Map<object, () => Promise<unknown>>()
  private readonly retries = new Map<object, () => Promise<unknown>>()
  private running = 0
  private tokens: number
  private filledAt = Date.now()
  private wake: NodeJS.Timeout | null = null

  constructor(private readonly opts: PacerOptions) {
    this.tokens = opts.burst
  }

  /** Runs task once fewer than limit tasks run, unless one for this key is waiting already (a retry becomes urgent). */
  run(key: object, task: () => Promise<unknown>, retry = false): void {
    if (this.urgent.has(key) || (retry && this.retries.has(key))) return
    this.retries.delete(key)
    ;(retry ? this.retries : this.urgent).set(key, task)
    this.next()
  }

  /** The task waiting for this key, if any, will not run. */
  cancel(key: object): void {
    this.urgent.delete(key)
    this.retries.delete(key)
  }

  /** Tasks not yet started. */
  get pending(): number {
    return this.urgent.size + this.retries.size
  }

  close(): void {
    this.urgent.clear()
    this.retries.clear()
    if (this.wake !== null) clearTimeout(this.wake)
  }

  private next(): void {
    while (this.running < this.opts.limit) {
      const task = this.take()
      if (task === null) return
      this.running++
      let done = false
      const finish = () => {
        if (done) return
        done = true
        clearTimeout(timer)
        this.running--
        this.next()
      }
      const timer = setTimeout(finish, this.opts.timeoutMs ?? TASK_TIMEOUT_MS)
      timer.unref()
      Promise.resolve().then(task).then(finish, finish)
    }
  }

  private take(): (() => Promise<unknown>) | null {
    for (const [key, task] of this.urgent) {
      this.urgent.delete(key)
      return task
    }
    if (this.retries.size === 0 || this.wake !== null) return null
    const now = Date.now()
    this.tokens = Math.min(this.opts.burst, this.tokens + ((now - this.filledAt) * this.opts.perSecond) / 1000)
    this.filledAt = now
    if (this.tokens < 1) {
      this.wake = setTimeout(() => {
        this.wake = null
        this.next()
      }, ((1 - this.tokens) * 1000) / this.opts.perSecond)
      this.wake.unref()
      return null
    }
    for (const [key, task] of this.retries) {
      this.retries.delete(key)
      this.tokens -= 1
      return task
    }
    return null
  }
}

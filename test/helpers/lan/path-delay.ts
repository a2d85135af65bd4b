// The one-way delay of a path with jitter, for the delay relay (./delay-relay.ts): mean ± spread
// milliseconds, wandering rather than drawn afresh for each datagram. Every STEP_MS the delay sets
// off toward a new target drawn uniformly from the range and moves there in a straight line, so
// over a few seconds it visits the whole range, yet it never falls faster than time passes (at most
// 2 × spread per STEP_MS, slower than 1 ms per ms while spread < STEP_MS / 2) and datagrams keep
// their order, as they do behind a router's queue. A delay drawn per datagram would reorder nearly
// every pair of datagrams sent a millisecond apart, which no real path does to a whole flow.
export const STEP_MS = 100

export class PathDelay {
  private from: number
  private to: number
  private stepAt = -Infinity

  constructor(
    private readonly meanMs: number,
    private readonly spreadMs: number,
    private readonly random: () => number = Math.random
  ) {
    if (spreadMs * 2 >= STEP_MS) throw new RangeError(`a spread of ${spreadMs} ms could reorder datagrams`)
    this.from = this.to = this.draw()
  }

  /** The delay a datagram that arrives at nowMs is held for. */
  at(nowMs: number): number {
    if (nowMs - this.stepAt >= STEP_MS) {
      // the next line starts where the last one ended; after a quiet stretch, at that delay, now
      this.from = this.to
      this.to = this.draw()
      this.stepAt = nowMs - this.stepAt < 2 * STEP_MS ? this.stepAt + STEP_MS : nowMs
    }
    const t = Math.min(1, (nowMs - this.stepAt) / STEP_MS)
    return this.from + (this.to - this.from) * t
  }

  private draw(): number {
    return this.meanMs - this.spreadMs + 2 * this.spreadMs * this.random()
  }
}

// Who may open a connection without being a contact: strangers delivering a contact request. They are
// admitted only while under a per-minute rate and a cap on how many are connected at once, so a flood
// of fresh key pairs costs this node a refused handshake each and nothing more.
export interface AdmissionLimits {
  requestsPerMinute: number
  maxUnknownConnections: number
}

const WINDOW_MS = 60_000
// An admitted handshake that never became a connection stops holding its slot after this long.
const RESERVATION_MS = 15_000

export class Admission {
  private readonly admitted: number[] = []
  private readonly reserved = new Map<string, number>()
  private readonly open = new Set<string>()

  constructor(private readonly limits: AdmissionLimits) {}

  admit(key: string, now = Date.now()): boolean {
    this.expire(now)
    if (this.open.has(key) || this.reserved.has(key)) return false
    if (this.admitted.length >= this.limits.requestsPerMinute) return false
    if (this.open.size + this.reserved.size >= this.limits.maxUnknownConnections) return false
    this.admitted.push(now)
    this.reserved.set(key, now)
    return true
  }

  /** The admitted stranger's connection is open; it holds a slot until closed(). */
  opened(key: string): void {
    this.reserved.delete(key)
    this.open.add(key)
  }

  closed(key: string): void {
    this.reserved.delete(key)
    this.open.delete(key)
  }

  private expire(now: number): void {
    while (this.admitted.length > 0 && now - this.admitted[0] >= WINDOW_MS) this.admitted.shift()
    for (const [key, at] of this.reserved) {
      if (now - at >= RESERVATION_MS) this.reserved.delete(key)
    }
  }
}

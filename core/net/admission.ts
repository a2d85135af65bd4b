// Who may open a connection without being a contact: strangers delivering a contact request. They are
// admitted only while under a per-minute rate and a cap on how many are connected at once, so a flood
// of fresh key pairs costs this node a refused handshake each and nothing more.
//
// The two budgets are shared fairly: no source address (an IPv4 host, an IPv6 /64) takes more than
// 1/SOURCE_SHARE of either, and no key is admitted more than KEY_ADMITS times a minute. A flood from
// one machine, however many keys it makes, leaves the rest of each budget to everyone else; a real
// request from elsewhere gets in at its first try. What is remembered is the admissions of the last
// minute and the slots held, so it is bounded by the budgets themselves, not by the flood.
export interface AdmissionLimits {
  requestsPerMinute: number
  maxUnknownConnections: number
}

const WINDOW_MS = 60_000
// An admitted handshake that never became a connection stops holding its slot after this long.
const RESERVATION_MS = 15_000
export const SOURCE_SHARE = 2
export const KEY_ADMITS = 2

interface Admitted {
  at: number
  key: string
  source: string
}

/** The part of an address that one machine cannot change at will: the IPv4 host, the IPv6 /64. */
export function sourceOf(host: string): string {
  if (!host.includes(':')) return host
  const groups = host.toLowerCase().split('::')[0].split(':')
  return `${groups.slice(0, 4).join(':')}::/64`
}

export class Admission {
  private readonly admitted: Admitted[] = []
  /** Keys holding a slot, with their source: admitted and not yet connected (with the time), or connected. */
  private readonly reserved = new Map<string, { at: number; source: string }>()
  private readonly open = new Map<string, string>()

  constructor(private readonly limits: AdmissionLimits) {}

  /** source: the address the handshake came from (sourceOf), or null where none is known. */
  admit(key: string, source: string | null, now = Date.now()): boolean {
    this.expire(now)
    if (this.open.has(key) || this.reserved.has(key)) return false
    const { requestsPerMinute, maxUnknownConnections } = this.limits
    if (this.admitted.length >= requestsPerMinute) return false
    if (this.open.size + this.reserved.size >= maxUnknownConnections) return false
    if (this.admitted.filter((a) => a.key === key).length >= KEY_ADMITS) return false
    const from = source ?? ''
    if (source !== null) {
      if (this.admitted.filter((a) => a.source === from).length >= share(requestsPerMinute)) return false
      if (this.slotsOf(from) >= share(maxUnknownConnections)) return false
    }
    this.admitted.push({ at: now, key, source: from })
    this.reserved.set(key, { at: now, source: from })
    return true
  }

  /** The admitted stranger's connection is open; it holds a slot until closed(). */
  opened(key: string): void {
    const reservation = this.reserved.get(key)
    this.reserved.delete(key)
    this.open.set(key, reservation?.source ?? '')
  }

  closed(key: string): void {
    this.reserved.delete(key)
    this.open.delete(key)
  }

  private slotsOf(source: string): number {
    let count = 0
    for (const s of this.open.values()) if (s === source) count++
    for (const r of this.reserved.values()) if (r.source === source) count++
    return count
  }

  private expire(now: number): void {
    while (this.admitted.length > 0 && now - this.admitted[0].at >= WINDOW_MS) this.admitted.shift()
    for (const [key, { at }] of this.reserved) {
      if (now - at >= RESERVATION_MS) this.reserved.delete(key)
    }
  }
}

function share(budget: number): number {
  return Math.max(1, Math.floor(budget / SOURCE_SHARE))
}

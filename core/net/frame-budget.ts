// How many control frames of each kind a contact may send. Each contact has a token bucket per frame
// kind, kept across its reconnections (a contact cannot refill its buckets by hanging up), so the
// work and the store writes a contact can cause with control frames are bounded by these rates
// whatever it sends. Frames over the rate are dropped and counted; a contact whose drops reach
// ATTACK_DROPS in a report period is reported (at most once per period) as a flood.
//
// The rates are far above what a Cairn node sends: one hello (and home) per connection, a receipt
// per step of blocks read or per read mark, typing as the user types, a few call frames per call, a
// prekeys frame per rotation. A hello dropped on a connection that flaps more often than that costs
// little: the contact's log is known already, and its replication does not wait for the hello.
import type { ControlFrame } from './frames'

export type ControlKind = ControlFrame['type']

export interface FrameRate {
  /** Frames taken at once after a quiet period. */
  burst: number
  /** Frames per second after the burst. */
  perSecond: number
}

export const FRAME_RATES: Readonly<Record<ControlKind, FrameRate>> = {
  hello: { burst: 16, perSecond: 1 / 5 },
  receipt: { burst: 64, perSecond: 20 },
  typing: { burst: 32, perSecond: 10 },
  prekeys: { burst: 4, perSecond: 1 / 60 },
  call: { burst: 64, perSecond: 20 },
  // Sent after every hello that has one.
  home: { burst: 16, perSecond: 1 / 5 }
}

/** Drops in one report period that make a contact's frames a flood rather than a burst. */
export const ATTACK_DROPS = 32
export const REPORT_PERIOD_MS = 60_000

/** A contact's frames dropped over the rate, by kind, since the last report. */
export type DroppedFrames = Partial<Record<ControlKind, number>>

interface Bucket {
  tokens: number
  at: number
}

class ContactBudget {
  private readonly buckets = new Map<ControlKind, Bucket>()
  dropped: DroppedFrames = {}
  droppedInPeriod = 0
  periodStart: number
  total = 0

  constructor(now: number) {
    this.periodStart = now
  }

  take(kind: ControlKind, now: number): boolean {
    const rate = FRAME_RATES[kind]
    const bucket = this.buckets.get(kind) ?? { tokens: rate.burst, at: now }
    bucket.tokens = Math.min(rate.burst, bucket.tokens + ((now - bucket.at) / 1000) * rate.perSecond)
    bucket.at = now
    this.buckets.set(kind, bucket)
    if (bucket.tokens < 1) return false
    bucket.tokens -= 1
    return true
  }
}

export class FrameBudgets {
  private readonly contacts = new Map<string, ContactBudget>()

  /**
   * @param flood called when a contact's drops reach ATTACK_DROPS in a period, with that period's
   * drops by kind; once per period per contact.
   */
  constructor(private readonly flood: (hex: string, dropped: DroppedFrames) => void) {}

  /** Whether a frame of this kind from this contact is taken now; a refused one is counted. */
  take(hex: string, kind: ControlKind, now = Date.now()): boolean {
    let budget = this.contacts.get(hex)
    if (budget === undefined) {
      budget = new ContactBudget(now)
      this.contacts.set(hex, budget)
    }
    if (now - budget.periodStart >= REPORT_PERIOD_MS) {
      budget.periodStart = now
      budget.droppedInPeriod = 0
      budget.dropped = {}
    }
    if (budget.take(kind, now)) return true
    budget.total++
    budget.dropped[kind] = (budget.dropped[kind] ?? 0) + 1
    if (++budget.droppedInPeriod === ATTACK_DROPS) this.flood(hex, { ...budget.dropped })
    return false
  }

  /** Frames dropped from this contact since it was first heard (or forgotten). */
  droppedTotal(hex: string): number {
    return this.contacts.get(hex)?.total ?? 0
  }

  forget(hex: string): void {
    this.contacts.delete(hex)
  }
}

/** The words of a flood's security event. */
export function describeDrops(dropped: DroppedFrames): string {
  const counts = Object.entries(dropped).map(([kind, n]) => `${n} ${kind}`).join(', ')
  return `control frames far over their rates were dropped (${counts} within a minute)`
}

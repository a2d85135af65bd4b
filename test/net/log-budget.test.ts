import { describe, expect, it } from 'vitest'
import { LogBudget, LOG_LIMITS } from '../../core/log'

describe('a contact log budget', () => {
  it('takes the burst, then paces steps and bytes; a step in debt waits until the debt is paid', () => {
    let now = 0
    const budget = new LogBudget(LOG_LIMITS, () => now)
    for (let i = 0; i < LOG_LIMITS.burstSteps; i++) expect(budget.wait()).toBe(0)
    expect(budget.wait()).toBe(Math.ceil(1000 / LOG_LIMITS.stepsPerSecond))
    now += 1000 / LOG_LIMITS.stepsPerSecond
    expect(budget.wait()).toBe(0)
    budget.spend(LOG_LIMITS.burstBytes + 64 * 1024)
    now += 60_000
    // the steps refilled, the bytes are still in debt by 64 KB less what a minute brought
    const debt = 64 * 1024 - 60 * LOG_LIMITS.bytesPerSecond
    expect(budget.wait()).toBe(debt > 0 ? Math.ceil((debt / LOG_LIMITS.bytesPerSecond) * 1000) : 0)
  })

  it('bounds what a minute of flooding can take in', () => {
    let now = 0
    const budget = new LogBudget(LOG_LIMITS, () => now)
    let bytes = 0
    let steps = 0
    while (now < 60_000) {
      const wait = budget.wait()
      if (wait > 0) {
        now += wait
        continue
      }
      budget.spend(64 * 1024)
      bytes += 64 * 1024
      steps++
    }
    expect(bytes).toBeLessThanOrEqual(LOG_LIMITS.burstBytes + 60 * LOG_LIMITS.bytesPerSecond + 64 * 1024)
    expect(steps).toBeLessThanOrEqual(LOG_LIMITS.burstSteps + 60 * LOG_LIMITS.stepsPerSecond)
  })

  it('never paces a live chat of 20 messages a second, one step each, for an hour', () => {
    let now = 0
    const budget = new LogBudget(LOG_LIMITS, () => now)
    let paced = 0
    for (let i = 0; i < 20 * 3600; i++) {
      if (budget.wait() > 0) paced++
      budget.spend(300)
      now += 50
    }
    expect(paced).toBe(0)
  })

  it('takes a catch-up of 10,000 messages (300-byte envelopes, 128 a step) without waiting', () => {
    const now = 0
    const budget = new LogBudget(LOG_LIMITS, () => now)
    for (let done = 0; done < 10_000; done += 128) {
      expect(budget.wait()).toBe(0)
      budget.spend(Math.min(128, 10_000 - done) * 300)
    }
  })
})

import { afterEach, describe, expect, it, vi } from 'vitest'
import { Admission } from '../../core/net/admission'
import { Backoff } from '../../core/net/backoff'

describe('admission of strangers', () => {
  it('admits at most requestsPerMinute in any sliding minute', () => {
    const admission = new Admission({ requestsPerMinute: 3, maxUnknownConnections: 100 })
    const t = 1_000_000
    expect(['a', 'b', 'c', 'd'].map((k, i) => admission.admit(k, t + i))).toEqual([true, true, true, false])
    for (const k of ['a', 'b', 'c']) admission.closed(k)
    expect(admission.admit('e', t + 59_999)).toBe(false)
    expect(admission.admit('e', t + 60_000)).toBe(true)
  })

  it('caps strangers connected at once, counting admitted handshakes not yet connected', () => {
    const admission = new Admission({ requestsPerMinute: 100, maxUnknownConnections: 2 })
    const t = 5_000_000
    expect(admission.admit('a', t)).toBe(true)
    admission.opened('a')
    expect(admission.admit('b', t)).toBe(true)
    expect(admission.admit('c', t)).toBe(false)
    admission.closed('a')
    expect(admission.admit('c', t)).toBe(true)
  })

  it('frees a slot whose handshake never became a connection, and admits one key once at a time', () => {
    const admission = new Admission({ requestsPerMinute: 100, maxUnknownConnections: 1 })
    const t = 9_000_000
    expect(admission.admit('a', t)).toBe(true)
    expect(admission.admit('a', t + 1)).toBe(false)
    expect(admission.admit('b', t + 14_999)).toBe(false)
    expect(admission.admit('b', t + 15_000)).toBe(true)
  })
})

describe('backoff', () => {
  afterEach(() => vi.useRealTimers())

  it('doubles the delay up to the cap, restarts from the shortest, and stops for good', () => {
    vi.useFakeTimers()
    const ticks: number[] = []
    const start = Date.now()
    const backoff = new Backoff(() => ticks.push(Date.now() - start), { initialMs: 100, maxMs: 400 })
    backoff.start()
    vi.advanceTimersByTime(2_000)
    // Each wait is between half and all of the current delay: 100, 200, 400, 400, ...
    const gaps = ticks.map((at, i) => at - (ticks[i - 1] ?? 0))
    expect(gaps[0]).toBeGreaterThanOrEqual(50)
    expect(gaps[0]).toBeLessThanOrEqual(100)
    expect(gaps[1]).toBeGreaterThanOrEqual(100)
    expect(gaps[1]).toBeLessThanOrEqual(200)
    for (const gap of gaps.slice(2)) {
      expect(gap).toBeGreaterThanOrEqual(200)
      expect(gap).toBeLessThanOrEqual(400)
    }
    backoff.stop()
    const count = ticks.length
    vi.advanceTimersByTime(10_000)
    expect(ticks.length).toBe(count)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('has at most one timer pending however often it is started', () => {
    vi.useFakeTimers()
    const backoff = new Backoff(() => {}, { initialMs: 100, maxMs: 400 })
    for (let i = 0; i < 100; i++) backoff.start()
    expect(vi.getTimerCount()).toBe(1)
    for (let i = 0; i < 100; i++) backoff.restart()
    expect(vi.getTimerCount()).toBe(1)
    backoff.stop()
    expect(vi.getTimerCount()).toBe(0)
  })
})

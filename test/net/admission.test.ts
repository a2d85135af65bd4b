import { afterEach, describe, expect, it, vi } from 'vitest'
import { Admission, KEY_ADMITS, sourceOf } from '../../core/net/admission'
import { Backoff } from '../../core/net/backoff'

describe('admission of strangers', () => {
  it('admits at most requestsPerMinute in any sliding minute', () => {
    const admission = new Admission({ requestsPerMinute: 3, maxUnknownConnections: 100 })
    const t = 1_000_000
    expect(['a', 'b', 'c', 'd'].map((k, i) => admission.admit(k, null, t + i))).toEqual([true, true, true, false])
    for (const k of ['a', 'b', 'c']) admission.closed(k)
    expect(admission.admit('e', null, t + 59_999)).toBe(false)
    expect(admission.admit('e', null, t + 60_000)).toBe(true)
  })

  it('caps strangers connected at once, counting admitted handshakes not yet connected', () => {
    const admission = new Admission({ requestsPerMinute: 100, maxUnknownConnections: 2 })
    const t = 5_000_000
    expect(admission.admit('a', null, t)).toBe(true)
    admission.opened('a')
    expect(admission.admit('b', null, t)).toBe(true)
    expect(admission.admit('c', null, t)).toBe(false)
    admission.closed('a')
    expect(admission.admit('c', null, t)).toBe(true)
  })

  it('frees a slot whose handshake never became a connection, and admits one key once at a time', () => {
    const admission = new Admission({ requestsPerMinute: 100, maxUnknownConnections: 1 })
    const t = 9_000_000
    expect(admission.admit('a', null, t)).toBe(true)
    expect(admission.admit('a', null, t + 1)).toBe(false)
    expect(admission.admit('b', null, t + 14_999)).toBe(false)
    expect(admission.admit('b', null, t + 15_000)).toBe(true)
  })
})

describe('fair admission of strangers', () => {
  it('no source address takes more than half of the rate or of the slots; other sources keep the rest', () => {
    const admission = new Admission({ requestsPerMinute: 20, maxUnknownConnections: 8 })
    const t = 2_000_000
    const flood = Array.from({ length: 50 }, (_, i) => admission.admit(`flood-${i}`, '10.0.0.66', t + i))
    // four slots for the flooding source, however many keys it makes
    expect(flood.filter(Boolean)).toHaveLength(4)
    expect(admission.admit('real', '10.0.0.7', t + 100)).toBe(true)
    for (let i = 0; i < 50; i++) admission.closed(`flood-${i}`)
    const more = Array.from({ length: 50 }, (_, i) => admission.admit(`again-${i}`, '10.0.0.66', t + 200 + i))
    expect(more.filter(Boolean)).toHaveLength(4)
    for (let i = 0; i < 50; i++) admission.closed(`again-${i}`)
    // slots free again, but the source has nearly had its half of the minute's rate
    const last = Array.from({ length: 50 }, (_, i) => admission.admit(`last-${i}`, '10.0.0.66', t + 250 + i))
    expect(last.filter(Boolean)).toHaveLength(2)
    expect(admission.admit('second-real', '10.0.0.8', t + 300)).toBe(true)
    expect(admission.admit('later', '10.0.0.66', t + 60_000)).toBe(true)
  })

  it('a key is admitted at most KEY_ADMITS times a minute', () => {
    const admission = new Admission({ requestsPerMinute: 100, maxUnknownConnections: 100 })
    const t = 3_000_000
    const tries = Array.from({ length: 5 }, (_, i) => {
      const ok = admission.admit('same', `10.0.1.${i}`, t + i)
      admission.closed('same')
      return ok
    })
    expect(tries.filter(Boolean)).toHaveLength(KEY_ADMITS)
  })

  it('an IPv6 source is its /64', () => {
    expect(sourceOf('2001:db8:1:2:aaaa::1')).toBe(sourceOf('2001:db8:1:2:bbbb::2'))
    expect(sourceOf('2001:db8:1:3::1')).not.toBe(sourceOf('2001:db8:1:2::1'))
    expect(sourceOf('192.0.2.1')).toBe('192.0.2.1')
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

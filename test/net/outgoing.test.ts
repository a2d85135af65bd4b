// A contact request's re-lookups (core/net/outgoing.ts): with the node's default retry schedule, whose
// delays reach 10 minutes for contacts, a pending request still looks for its target every minute
// at most, so a target who comes back online gets it within about a minute.
import { afterEach, describe, expect, it, vi } from 'vitest'
import HyperDHT from 'hyperdht'
import { ContactKey } from '../../core/identity'
import type { Links } from '../../core/net/links'
import { DEFAULT_RETRY } from '../../core/net/network'
import { OutgoingRequests, REQUEST_RETRY_MAX_MS } from '../../core/net/outgoing'

afterEach(() => {
  vi.useRealTimers()
})

describe('a pending contact request', () => {
  it('looks again at least once a minute, under the default schedule', () => {
    vi.useFakeTimers()
    const lookups: number[] = []
    const requests = new OutgoingRequests({
      swarms: [],
      links: { get: () => undefined } as unknown as Links,
      retryOpts: DEFAULT_RETRY,
      classify: () => 'unknown',
      delivered: () => {}
    })
    const target = ContactKey.fromBytes(HyperDHT.keyPair().publicKey)
    requests.send(target, Buffer.from('request'), null)
    const retry = vi.spyOn(requests as unknown as { retry(hex: string): void }, 'retry').mockImplementation(() => lookups.push(Date.now()))
    const start = Date.now()
    vi.advanceTimersByTime(30 * 60_000)
    expect(DEFAULT_RETRY.maxMs).toBeGreaterThan(REQUEST_RETRY_MAX_MS)
    expect(requests.retryDelayMs(target.hex)).toBe(REQUEST_RETRY_MAX_MS)
    const gaps = lookups.map((at, i) => at - (i === 0 ? start : lookups[i - 1]))
    expect(lookups.length).toBeGreaterThan(25)
    expect(Math.max(...gaps)).toBeLessThanOrEqual(REQUEST_RETRY_MAX_MS)
    retry.mockRestore()
    requests.cancel(target.hex)
  })
})

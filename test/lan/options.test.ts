// startLan's argument checks, which run before anything touches the network (so they are safe in
// the host namespace).
import { describe, expect, it } from 'vitest'
import { startLan } from '../../core/lan'
import { lanAddress } from '../../core/lan/interfaces'
import { CairnError } from '../../core/api/errors'

async function rejection(promise: Promise<unknown>): Promise<CairnError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e
  )
  expect(err).toBeInstanceOf(CairnError)
  return err as CairnError
}

describe('startLan options', () => {
  it('refuses an announce interval that is not a sane integer', async () => {
    for (const announceIntervalMs of [0, 50, 1.5, 3_600_000, Number.NaN]) {
      const err = await rejection(startLan({ announceIntervalMs, interfaces: ['lo'] }))
      expect(err.code).toBe('invalid-argument')
      expect(err.message).toMatch(/announceIntervalMs/)
    }
  })

  it('refuses interfaces that have no external IPv4 address, naming them', async () => {
    const err = await rejection(startLan({ interfaces: ['lo', 'no-such-interface0'] }))
    expect(err.code).toBe('invalid-argument')
    expect(err.message).toContain('no-such-interface0')
    expect(() => lanAddress(['lo'])).toThrow(CairnError)
  })
})

// The guard in front of every passphrase proof: one at a time, a growing wait after each wrong
// passphrase (capped), none again after a right one. The wait is a stand-in that records what it was
// asked, so nothing here depends on the clock.
import { describe, expect, it } from 'vitest'
import { CairnError } from '../../core/api/errors'
import { GUARD_FIRST_DELAY_MS, GUARD_MAX_DELAY_MS, PassphraseGuard } from '../../core/host/passphrase-guard'

describe('passphrase guard', () => {
  it('runs proofs one at a time and makes each wrong passphrase cost the next attempt more', async () => {
    const waits: number[] = []
    const guard = new PassphraseGuard(async (ms) => void waits.push(ms))
    let running = 0
    let most = 0
    const attempt = (right: boolean) =>
      guard.run(async () => {
        most = Math.max(most, ++running)
        await new Promise((r) => setImmediate(r))
        running--
        if (!right) throw new CairnError('wrong-passphrase', 'wrong passphrase')
        return 'ok'
      })
    const guesses = Array.from({ length: 9 }, () => attempt(false))
    const results = await Promise.allSettled([...guesses, attempt(true), attempt(true), attempt(false), attempt(true)])
    expect(most).toBe(1)
    expect(results.map((r) => r.status)).toEqual([...Array(9).fill('rejected'), 'fulfilled', 'fulfilled', 'rejected', 'fulfilled'])
    const doubling = Array.from({ length: 9 }, (_, i) => Math.min(GUARD_FIRST_DELAY_MS * 2 ** i, GUARD_MAX_DELAY_MS))
    expect(waits).toEqual([...doubling, GUARD_FIRST_DELAY_MS])
    expect(Math.max(...waits)).toBe(GUARD_MAX_DELAY_MS)
  })

  it('counts only wrong passphrases: other failures cost nothing', async () => {
    const waits: number[] = []
    const guard = new PassphraseGuard(async (ms) => void waits.push(ms))
    await expect(guard.run(async () => Promise.reject(new CairnError('no-profile', 'none')))).rejects.toMatchObject({ code: 'no-profile' })
    await expect(guard.run(async () => 1)).resolves.toBe(1)
    expect(waits).toEqual([])
  })
})

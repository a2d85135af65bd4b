// The batcher behind a burst of sends: what waits together is taken together, in order, at most
// `max` at a time; each item gets its own result, and a failed run fails only what it took.
import { describe, expect, it } from 'vitest'
import { Batcher } from '../../core/messenger/send-batch'

/** A run that takes its batch on the next tick (as a store step does) and records what it took. */
function recorder(result: (item: number) => number | Error = (n) => n * 10) {
  const runs: number[][] = []
  const batcher = new Batcher<number, number>(3, async (take) => {
    await new Promise((r) => setImmediate(r))
    const items = take()
    runs.push(items)
    return items.map(result)
  })
  return { runs, batcher }
}

describe('Batcher', () => {
  it('takes what waited as one batch, in order, at most max at a time, and items submitted after a take form the next', async () => {
    const { runs, batcher } = recorder()
    const first = [1, 2, 3, 4, 5].map((n) => batcher.submit(n))
    expect(await Promise.all(first)).toEqual([10, 20, 30, 40, 50])
    const later = await Promise.all([6, 7].map((n) => batcher.submit(n)))
    expect(later).toEqual([60, 70])
    expect(runs).toEqual([[1, 2, 3], [4, 5], [6, 7]])
  })

  it('rejects only the item whose result is an error', async () => {
    const { batcher } = recorder((n) => (n === 2 ? new Error('two') : n))
    const settled = await Promise.allSettled([1, 2, 3].map((n) => batcher.submit(n)))
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect((settled[1] as PromiseRejectedResult).reason.message).toBe('two')
  })

  it('a run that throws rejects what it took; one that fails before taking rejects what waited; the next submit starts afresh', async () => {
    let mode: 'throw' | 'refuse' | 'ok' = 'throw'
    const batcher = new Batcher<number, number>(10, async (take) => {
      await new Promise((r) => setImmediate(r))
      if (mode === 'refuse') throw new Error('closed')
      const items = take()
      if (mode === 'throw') throw new Error('flush failed')
      return items
    })
    const thrown = await Promise.allSettled([1, 2].map((n) => batcher.submit(n)))
    expect(thrown.map((s) => s.status === 'rejected' && s.reason.message)).toEqual(['flush failed', 'flush failed'])
    mode = 'refuse'
    const refused = await Promise.allSettled([3, 4].map((n) => batcher.submit(n)))
    expect(refused.map((s) => s.status === 'rejected' && s.reason.message)).toEqual(['closed', 'closed'])
    mode = 'ok'
    expect(await Promise.all([5, 6].map((n) => batcher.submit(n)))).toEqual([5, 6])
  })
})

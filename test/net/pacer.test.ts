// core/net/pacer.ts with plain tasks: joins run a few at a time in the order asked, a key waiting is
// run once, retries wait behind joins and draw on a bucket, and a task that never settles frees its slot.
import { describe, expect, it } from 'vitest'
import { Pacer } from '../../core/net/pacer'
import { until } from '../helpers/net'

function gate() {
  let open = () => {}
  const opened = new Promise<void>((resolve) => (open = resolve))
  return { opened, open }
}

describe('the pacer of a DHT', () => {
  it('runs at most limit tasks at once, in the order asked, a waiting key once', async () => {
    const pacer = new Pacer({ limit: 2, burst: 10, perSecond: 10 })
    const started: number[] = []
    const gates = Array.from({ length: 5 }, gate)
    const keys = gates.map(() => ({}))
    keys.forEach((key, i) => pacer.run(key, () => (started.push(i), gates[i].opened)))
    pacer.run(keys[3], async () => started.push(99))
    await until(() => started.length === 2, 'two tasks')
    expect(pacer.pending).toBe(3)
    gates[1].open()
    await until(() => started.length === 3, 'a third task once one settled')
    gates.forEach((g) => g.open())
    await until(() => started.length === 5, 'every task')
    expect(started).toEqual([0, 1, 2, 3, 4])
    pacer.close()
  })

  it('lets retries run behind joins, a burst then perSecond, and a retry asked as a join becomes one', async () => {
    const pacer = new Pacer({ limit: 4, burst: 2, perSecond: 20 })
    const started: string[] = []
    const blocker = gate()
    pacer.run({}, () => (started.push('join'), blocker.opened))
    const keys = Array.from({ length: 6 }, () => ({}))
    keys.forEach((key, i) => pacer.run(key, async () => started.push(`retry ${i}`), true))
    const urgent = keys[5]
    pacer.run(urgent, async () => started.push('urgent'))
    await until(() => started.length === 7, 'every task')
    // The urgent one ran before the retries' bucket refilled; each retry ran once.
    expect(started.indexOf('urgent')).toBeLessThan(4)
    expect(started.filter((s) => s.startsWith('retry')).sort()).toEqual(['retry 0', 'retry 1', 'retry 2', 'retry 3', 'retry 4'])
    blocker.open()
    pacer.close()
  })

  it('frees the slot of a task that never settles, and runs nothing cancelled', async () => {
    const pacer = new Pacer({ limit: 1, burst: 1, perSecond: 1, timeoutMs: 100 })
    const started: string[] = []
    pacer.run({}, () => (started.push('stuck'), new Promise(() => {})))
    const cancelled = {}
    pacer.run(cancelled, async () => started.push('cancelled'))
    pacer.run({}, async () => started.push('next'))
    pacer.cancel(cancelled)
    await until(() => started.length === 2, 'the task after the stuck one')
    expect(started).toEqual(['stuck', 'next'])
    pacer.close()
  })
})

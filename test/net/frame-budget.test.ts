import { describe, expect, it } from 'vitest'
import { ATTACK_DROPS, FRAME_RATES, FrameBudgets, REPORT_PERIOD_MS, type DroppedFrames } from '../../core/net/frame-budget'

describe('control frame budgets', () => {
  it('takes a burst per kind, then the rate; drops are counted and a flood reported once per period', () => {
    const floods: Array<[string, DroppedFrames]> = []
    const budgets = new FrameBudgets((hex, dropped) => floods.push([hex, dropped]))
    const t = 1_000_000
    const { burst } = FRAME_RATES.prekeys
    for (let i = 0; i < burst; i++) expect(budgets.take('aa', 'prekeys', t)).toBe(true)
    expect(budgets.take('aa', 'prekeys', t)).toBe(false)
    // another kind and another contact have their own buckets
    expect(budgets.take('aa', 'typing', t)).toBe(true)
    expect(budgets.take('bb', 'prekeys', t)).toBe(true)
    // one token comes back after 1/rate seconds
    expect(budgets.take('aa', 'prekeys', t + 1000 / FRAME_RATES.prekeys.perSecond)).toBe(true)
    for (let i = 0; i < ATTACK_DROPS * 3; i++) budgets.take('aa', 'prekeys', t + 60_000)
    expect(floods).toEqual([['aa', { prekeys: ATTACK_DROPS }]])
    expect(budgets.droppedTotal('aa')).toBe(1 + ATTACK_DROPS * 3)
    for (let i = 0; i < ATTACK_DROPS + FRAME_RATES.hello.burst; i++) budgets.take('aa', 'hello', t + 60_000 + REPORT_PERIOD_MS)
    expect(floods).toHaveLength(2)
    budgets.forget('aa')
    expect(budgets.droppedTotal('aa')).toBe(0)
  })

  it('a burst under the rates is never a flood', () => {
    const budgets = new FrameBudgets(() => expect.unreachable())
    for (let i = 0; i < 200; i++) expect(budgets.take('aa', 'receipt', i * 50)).toBe(true)
    for (let i = 0; i < 600; i++) expect(budgets.take('aa', 'typing', i * 100)).toBe(true)
  })
})

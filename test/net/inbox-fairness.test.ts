import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import HyperDHT from 'hyperdht'
import type { RequestFrame } from '../../core/net'
import { Harness, keyPair, until } from '../helpers/net'

// The flood comes from another loopback address than the real requester, as it would from another
// machine: the admission of strangers shares its budgets by source address.
const ATTACKER_HOST = '127.0.0.2'

describe('inbox fairness', () => {
  const h = new Harness()
  beforeEach(() => h.start())
  afterEach(() => h.stop())

  it('a real request gets through a flood of fresh keys from another address', async () => {
    const b = await h.node()
    const refused: string[] = []
    b.net.on('refused', (_key: Buffer, why: string) => refused.push(why))
    const requests: RequestFrame[] = []
    b.net.on('request', (_from: Buffer, request: RequestFrame) => requests.push(request))

    const attacker = new HyperDHT({ bootstrap: h.bootstrap, host: ATTACKER_HOST })
    await attacker.ready()
    let attempted = 0
    let admitted = 0
    let stop = false
    const floodEnds = Date.now() + 60_000
    // Each fresh key dials and, if let in, holds its connection without a word until dropped.
    const attempt = async (): Promise<void> => {
      const stream = attacker.connect(b.keyPair.publicKey, { keyPair: keyPair() })
      stream.on('error', () => {})
      const giveUp = setTimeout(() => stream.destroy(), 3_000)
      const ok = await stream.opened
      clearTimeout(giveUp)
      if (!ok) return
      admitted++
      await new Promise<void>((resolve) => (stream.destroyed ? resolve() : stream.once('close', () => resolve())))
    }
    const flood = (async () => {
      while (!stop && attempted < 3_000 && Date.now() < floodEnds) {
        attempted += 50
        await Promise.all(Array.from({ length: 50 }, attempt))
      }
    })()
    try {
      await until(() => refused.filter((why) => why === 'admission').length >= 50, 'the flood saturating the inbox', 30_000)
      const started = Date.now()
      const a = await h.node()
      a.net.sendRequest(b.keyPair.publicKey, { name: 'real', bundle: null })
      await until(() => requests.some((r) => r.name === 'real'), 'the real request during the flood', 30_000)
      const took = Date.now() - started
      const refusedSoFar = refused.filter((why) => why === 'admission').length
      console.log(`inbox fairness: the real request passed in ${took} ms during a flood of ${attempted} fresh keys (${admitted} let in, ${refusedSoFar} refused for admission)`)
      expect(admitted).toBeLessThanOrEqual(10)
    } finally {
      stop = true
      await flood
      await attacker.destroy()
    }
  }, 120_000)
})

// Eight Cairn hosts on a LAN with no internet, in network namespaces (needs root; CI runs as root):
// the small version of bench/lan-scale.bench.ts. Every pair of contacts connects; two hosts are
// unplugged, written to and writing, and plugged back: every message arrives once, in order, on
// its side, and no host sends a packet off its LAN (scale-lab.ts throws otherwise).
import { describe, expect, it } from 'vitest'
import { labUnavailable } from '../helpers/lan/netns'
import { contactPairs, runLanScale } from '../helpers/lan/scale-lab'

const why = labUnavailable()

describe('the contact graph of the LAN scale run', () => {
  it('gives every host 6 or 7 contacts among the others, each pair once', () => {
    for (const count of [8, 50]) {
      const pairs = contactPairs(count)
      expect(new Set(pairs.map(([i, j]) => `${i}-${j}`)).size).toBe(pairs.length)
      const degrees = Array.from({ length: count }, (_, h) => pairs.filter((p) => p.includes(h)).length)
      expect(Math.min(...degrees)).toBeGreaterThanOrEqual(6)
      expect(Math.max(...degrees)).toBeLessThanOrEqual(7)
      expect(pairs.every(([i, j]) => i !== j)).toBe(true)
    }
  })
})

describe.skipIf(why !== null)('eight Cairn hosts on a LAN', () => {
  it('connects every pair of contacts; two hosts unplugged and back catch up on both sides, once and in order', async () => {
    const figures = await runLanScale({ hosts: 8, leaving: 2, messages: 3, boundMs: 90_000, log: console.log })
    expect(figures.pairs).toBe(24)
    expect(figures.mdnsPerHostPerMinute.every((rate) => rate > 0)).toBe(true)
    expect(figures.rssMb).toHaveLength(8)
  }, 400_000)
})

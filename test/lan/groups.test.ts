// A group on a LAN with no internet, in network namespaces (needs root; CI runs as root): the small
// version of bench/groups-lan.bench.ts. Five hosts, two of which leave and come back after the
// author left: they get every message through the other members, every member holds every message
// once in one order, and no host sends a packet off its LAN (group-lab.ts throws otherwise).
import { describe, expect, it } from 'vitest'
import { runGroupLan } from '../helpers/lan/group-lab'
import { labUnavailable } from '../helpers/lan/netns'

const why = labUnavailable()

describe.skipIf(why !== null)('a group on a LAN', () => {
  it('five hosts: delivered to all, and two who left catch up through the others after the author left', async () => {
    const figures = await runGroupLan({ members: 5, messages: 3, leaving: 2, boundMs: 60_000, log: console.log })
    expect(figures.deliveryMs).toHaveLength(3)
    expect(figures.awayMs).toHaveLength(3)
  }, 240_000)
})

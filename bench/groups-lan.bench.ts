// A group on a LAN of 20 hosts (needs root: one network namespace per host on one bridge, nothing
// routed anywhere else), run by test/helpers/lan/group-lab.ts. Measured: time from the author's
// append until every online member has decrypted the message (p50, p95), beside the target
// of p95 ≤ 1 s; the same with 5 hosts gone; the time for those 5 to catch up through the other
// members after the author left; memory and CPU per host. test/lan/groups.test.ts runs a smaller
// version in CI.
//
//   npx tsx bench/groups-lan.bench.ts [--members N] [--messages M] [--leaving L]
import { labUnavailable } from '../test/helpers/lan/netns'
import { runGroupLan } from '../test/helpers/lan/group-lab'

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}

const why = labUnavailable()
if (why !== null) console.log(`skipped: ${why}`)
else await runGroupLan({ members: arg('--members', 20), messages: arg('--messages', 10), leaving: arg('--leaving', 5), boundMs: 120_000, log: console.log })

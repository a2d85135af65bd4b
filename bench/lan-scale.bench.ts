// 50 Cairn hosts on one LAN (needs root: one network namespace per host on one bridge, nothing
// routed anywhere else), run by test/helpers/lan/scale-lab.ts with default LAN settings and an
// empty bootstrap; each person has 6–7 contacts among the others. Measured beside the issue's
// targets: every pair of contacts connected within 15 s of their being added; mDNS datagrams per
// host per minute (bounded and stated); 10 hosts unplugged, written to and writing, and plugged
// back: the time until all of it has arrived (once, in order, or the run throws); memory and CPU per
// host. test/lan/scale.test.ts runs an 8-host version in CI.
//
//   npx tsx bench/lan-scale.bench.ts [--hosts N] [--leaving L] [--messages M] [--quiet-ms Q] [--bound-ms B] [--cpu-prof DIR] [--probe-ms P --trace FILE]
import { labUnavailable } from '../test/helpers/lan/netns'
import { runLanScale } from '../test/helpers/lan/scale-lab'

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}

const why = labUnavailable()
if (why !== null) console.log(`skipped: ${why}`)
else {
  await runLanScale({
    hosts: arg('--hosts', 50),
    leaving: arg('--leaving', 10),
    messages: arg('--messages', 5),
    quietMs: arg('--quiet-ms', 30_000),
    boundMs: arg('--bound-ms', 300_000),
    cpuProfileDir: process.argv.includes('--cpu-prof') ? process.argv[process.argv.indexOf('--cpu-prof') + 1] : undefined,
    probeMs: process.argv.includes('--probe-ms') ? arg('--probe-ms', 1000) : undefined,
    traceFile: process.argv.includes('--trace') ? process.argv[process.argv.indexOf('--trace') + 1] : undefined,
    log: console.log
  })
}

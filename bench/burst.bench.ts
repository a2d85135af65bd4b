// Burst of sends (issue 12, §5): one node sends BURST messages at once to a contact it has a session
// with (the contact is away, so nothing else runs), timed from the first send() to every message
// durable in the store and appended to the node's log; then on to the store settled (the journals of
// the burst applied to their keys, and any move to a new store epoch done), which bounds the rate a
// node sustains; and the process's CPU time per message over the burst, which the load average of a
// shared machine does not change. Beside it, in the same run and process: bare
// Hypercore appends of as many blocks of the same size, issued at once (each its own append, as
// the sends are) and as one batch. Target: ≥ 10,000 msgs/s with the crash guarantees kept.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Hypercore from 'hypercore'
import type { CairnEvent } from '../core/api/types'
import { createProfile, type Messenger } from '../core/messenger'
import { createLocalTestnet } from '../core/net/testnet'
import { randomBytes } from '../core/crypto'

const BURST = Number(process.env.BURST_MESSAGES ?? 10_000)
const ROUNDS = Number(process.env.BURST_ROUNDS ?? 3)
const PASS = 'correct horse battery staple'
const TEXT = 'x'.repeat(100)

async function until(cond: () => boolean, label: string, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${label}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

type Internals = {
  directory: { conversations(): Iterable<{ logs: { mine: Hypercore } }> }
  store: { settled(): Promise<void> }
  epochs: { idle(): Promise<void> }
}
const internals = (m: Messenger) => m as unknown as Internals
const ownLog = (m: Messenger) => [...internals(m).directory.conversations()][0].logs.mine

const testnet = await createLocalTestnet(3)
const root = await mkdtemp(join(tmpdir(), 'cairn-burst-'))
const opts = (dir: string) => ({ profileDir: join(root, dir), passphrase: PASS, bootstrap: testnet.bootstrap, lanDiscovery: false })
try {
  const alice = await createProfile({ ...opts('a'), name: 'Alice' })
  const bob = await createProfile({ ...opts('b'), name: 'Bob' })
  const heard = new Set<string>()
  alice.on('event', (e: CairnEvent) => e.type === 'message' && heard.add(e.message.text))
  await bob.addContact(alice.id, 'Alice')
  await until(() => alice.listRequests().length === 1, 'request')
  await alice.acceptRequest(bob.id, 'Bob')
  await bob.send(alice.id, 'hello')
  await until(() => heard.has('hello'), 'first message')
  await bob.close()

  const log = ownLog(alice)
  let envelopeBytes = 0
  const rows: { cairn: number; settled: number; cpu: number; each: number; batch: number }[] = []
  for (let round = 0; round < ROUNDS; round++) {
    const first = log.length
    const start = performance.now()
    const cpuStart = process.cpuUsage()
    await Promise.all(Array.from({ length: BURST }, (_, i) => alice.send(bob.id, `${round} ${i} ${TEXT}`)))
    await until(() => log.length === first + BURST, 'all appended')
    const cairn = (BURST / (performance.now() - start)) * 1000
    const used = process.cpuUsage(cpuStart)
    const cpu = (used.user + used.system) / BURST
    await internals(alice).store.settled()
    await internals(alice).epochs.idle()
    const settled = (BURST / (performance.now() - start)) * 1000
    envelopeBytes = (await log.get(first))!.length

    const bare = new Hypercore(join(root, `bare-${round}`))
    await bare.ready()
    const blocks = Array.from({ length: BURST }, () => randomBytes(envelopeBytes))
    let t = performance.now()
    await Promise.all(blocks.map((b) => bare.append(b)))
    const each = (BURST / (performance.now() - t)) * 1000
    t = performance.now()
    await bare.append(blocks)
    const batch = (BURST / (performance.now() - t)) * 1000
    await bare.close()
    rows.push({ cairn, settled, cpu, each, batch })
  }
  const f = (n: number) => n.toFixed(0).padStart(8)
  console.log(`burst of ${BURST} sends (${envelopeBytes}-byte envelopes), msgs/s      cairn   target    store settled   CPU µs/msg   bare appends at once   bare one batch`)
  for (const r of rows) console.log(`                                                 ${f(r.cairn)}   ≥ 10000   ${f(r.settled)}        ${f(r.cpu)}     ${f(r.each)}               ${f(r.batch)}`)
  const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]
  const cairn = med(rows.map((r) => r.cairn))
  const each = med(rows.map((r) => r.each))
  const cpu = med(rows.map((r) => r.cpu))
  console.log(`median: cairn ${cairn.toFixed(0)} msgs/s = ${((cairn / each) * 100).toFixed(0)} % of bare appends at once; ${cpu.toFixed(0)} µs of CPU per message (${(1e6 / cpu).toFixed(0)} msgs per CPU-second); load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')}`)
  await alice.close()
} finally {
  await testnet.destroy()
  await rm(root, { recursive: true, force: true })
}

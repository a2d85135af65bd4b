// A call on a LAN with no internet, default settings: two hosts in namespaces (no default route,
// the public bootstrap unreachable), contacts that have not exchanged a message, Alice calls, Bob's
// node accepts. Frames of audio size go Alice → Bob every 20 ms for 5 s on a clean link, then 5 s
// with 10 % of the UDP packets into Bob's namespace dropped (iptables' statistic match; this kernel
// has no netem). Setup time and one-way frame latency are printed; the targets are checked in the
// bench (no timed assertions here), the test asserts that the call connects and that media flows.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { Lab, labUnavailable, removeLeftovers, type NodeProcess, type Report } from '../helpers/lan/netns'

const unavailable = labUnavailable() ?? (hasIptables() ? null : 'iptables is not installed')
const HOST_NODE = fileURLToPath(new URL('../helpers/lan/host-node.ts', import.meta.url))
const FRAMES = 250
const LOSS = 0.1

function hasIptables(): boolean {
  try {
    execFileSync('iptables', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

type Arrival = { seq: number; ms: number; at: number }
const quantile = (values: number[], p: number) => [...values].sort((x, y) => x - y)[Math.floor(p * (values.length - 1))] ?? NaN

/** Of each second of sent frames (50), the share that arrived. */
function windows(arrivals: Arrival[], from: number): number[] {
  const got = new Set(arrivals.map((a) => a.seq))
  const out: number[] = []
  for (let w = 0; w < FRAMES / 50; w++) {
    let n = 0
    for (let i = 0; i < 50; i++) if (got.has(from + w * 50 + i)) n++
    out.push(n / 50)
  }
  return out
}

describe.skipIf(unavailable !== null)(`a call on a LAN without internet${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let lab: Lab | null = null
  let profiles = ''
  const procs: NodeProcess[] = []

  afterEach(async () => {
    await Promise.allSettled(procs.splice(0).map((p) => p.stop(20_000)))
    lab?.destroy()
    lab = null
    if (profiles) rmSync(profiles, { recursive: true, force: true })
  })

  it('connects with default settings before any message, carries frames, and goes on through 10 % loss', async () => {
    removeLeftovers()
    profiles = mkdtempSync(join(tmpdir(), 'cairn-lan-calls-'))
    lab = Lab.create(['a', 'b'], 'calls', { defaultRoute: false })
    const ids: Record<string, string> = {}
    const start = async (name: string, env: Record<string, string>) => {
      const proc = lab!.spawn(name, HOST_NODE, { CAIRN_PROFILE: join(profiles, name), CAIRN_NAME: name, CAIRN_DEFAULTS: '1', ...env })
      procs.push(proc)
      ids[name] = String((await proc.wait((r) => r.type === 'ready', 60_000, 'ready')).id)
      return proc
    }
    const [a, b] = await Promise.all([start('a', {}), start('b', { CAIRN_ANSWER: '1' })])
    a.send({ cmd: 'add', id: ids.b, name: 'Bob' })
    b.send({ cmd: 'add', id: ids.a, name: 'Alice' })
    await a.wait((r) => r.type === 'contact' && r.id === ids.b && r.presence === 'lan', 30_000, 'Bob on the LAN')

    a.send({ cmd: 'call', id: ids.b })
    const active = await a.wait((r) => r.type === 'call-active', 30_000, 'the call active at Alice')
    await b.wait((r) => r.type === 'call' && r.phase === 'active', 10_000, 'the call active at Bob')
    const call = String(active.id)

    const collect = async (from: number): Promise<Arrival[]> => {
      a.send({ cmd: 'stream', id: call, count: FRAMES, from })
      await a.wait((r) => r.type === 'streamed' && r.from === from, 60_000, 'frames sent')
      // the last frames' way across, then what Bob's node received
      await new Promise((resolve) => setTimeout(resolve, 500))
      b.send({ cmd: 'arrivals' })
      const fresh = (r: Report) => r.type === 'arrivals' && (r.frames as Arrival[]).some((f) => f.seq >= from)
      return (await b.wait(fresh, 10_000, 'arrivals')).frames as Arrival[]
    }
    const clean = await collect(0)
    const ns = lab.host('b').ns
    execFileSync('ip', ['netns', 'exec', ns, 'iptables', '-A', 'INPUT', '-p', 'udp', '-m', 'statistic', '--mode', 'random', '--probability', String(LOSS), '-j', 'DROP'])
    const lossy = await collect(FRAMES)
    const dropped = execFileSync('ip', ['netns', 'exec', ns, 'iptables', '-L', 'INPUT', '-v', '-x', '-n'], { encoding: 'utf8' })
    const latency = (xs: Arrival[]) => `p50 ${quantile(xs.map((x) => x.ms), 0.5).toFixed(1)} ms, p95 ${quantile(xs.map((x) => x.ms), 0.95).toFixed(1)} ms`
    console.log(
      `LAN call: setup ${Number(active.setupMs).toFixed(0)} ms; clean: ${clean.length}/${FRAMES} frames, one way ${latency(clean)}; ` +
        `10 % loss: ${lossy.length}/${FRAMES} frames, one way ${latency(lossy)}, per-second delivery ${windows(lossy, FRAMES).map((w) => w.toFixed(2)).join(' ')}\n${dropped.trim()}`
    )
    expect(clean.length).toBeGreaterThan(FRAMES * 0.9)
    // Frames are not retransmitted: with 10 % of packets dropped, most still arrive and none twice.
    expect(lossy.length).toBeGreaterThan(FRAMES * 0.6)
    expect(lossy.length).toBeLessThan(FRAMES)
    expect(new Set(lossy.map((x) => x.seq)).size).toBe(lossy.length)
    a.send({ cmd: 'hangup', id: call })
    await b.wait((r) => r.type === 'call-ended' && r.reason === 'hangup', 20_000, 'the hangup at Bob')
  }, 180_000)
})

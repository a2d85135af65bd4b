// The app's calls between two hosts on a namespace LAN (test/helpers/lan/call-lab.ts: each host runs
// its node, web shell and Chromium with fake devices in its own namespace), for bench/calls.bench.ts:
// - mouth-to-ear latency of a voice call (test/helpers/mouth-to-ear.ts says what is counted);
// - cost per side of a voice call and of a 720p30 video call (both sides send camera and
//   microphone): CPU of the side's Chromium (every process of it) and of its node over a window,
//   as a share of one core; and the bytes on Alice's LAN interface, as MB per minute each way.
//   Reference: the same two apps open with no call (headless Chromium's own share is in every line).
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { ensureRendererBuilt } from '../scripts/build-renderer'
import { labUnavailable, startCallLab, type CallLab, type CallSide } from '../test/helpers/lan/call-lab'
import { meterCapture, meterPlayout, mouthToEar, quantile, watchArrivals, watchPlayoutNodes } from '../test/helpers/mouth-to-ear'
import { burstWav } from '../test/media/browser/wav'
import { shownSize } from '../test/helpers/call-quality'

const PERIOD_MS = 1000
const LISTEN_MS = Number(process.env.CALLS_LISTEN_MS ?? 60_000)
const COST_MS = Number(process.env.CALLS_COST_MS ?? 20_000)
const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }))

type Stat = { ppid: number; cpuMs: number }

function processes(): Map<number, Stat> {
  const out = new Map<number, Stat>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      // after the command name in parentheses: state, ppid, … utime (14th field), stime (15th)
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      out.set(Number(name), { ppid: Number(f[1]), cpuMs: (Number(f[11]) + Number(f[12])) * TICK_MS })
    } catch {
      // gone between the listing and the read
    }
  }
  return out
}

/** The Chromium whose user-data-dir is `dir`: the process started with it, not one of its children. */
function browserPid(dir: string, all: Map<number, Stat>): number {
  for (const pid of all.keys()) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      if (cmd.includes(`--user-data-dir=${dir}`) && !cmd.includes('--type=')) return pid
    } catch {
      // gone
    }
  }
  throw new Error(`no Chromium with user-data-dir ${dir}`)
}

/** CPU time of a process and every descendant still running, ms. */
function treeCpuMs(root: number, all: Map<number, Stat>): number {
  let total = 0
  const todo = [root]
  while (todo.length > 0) {
    const pid = todo.pop()!
    total += all.get(pid)?.cpuMs ?? 0
    for (const [child, s] of all) if (s.ppid === pid) todo.push(child)
  }
  return total
}

function sideCpu(side: CallSide, all: Map<number, Stat>): { chromium: number; node: number } {
  return { chromium: treeCpuMs(browserPid(side.browser.dataDir, all), all), node: all.get(side.node.pid!)?.cpuMs ?? 0 }
}

function lanBytes(ns: string): { tx: number; rx: number } {
  const [link] = JSON.parse(execFileSync('ip', ['-s', '-j', '-n', ns, 'link', 'show', 'lan0'], { encoding: 'utf8' })) as { stats64: { tx: { bytes: number }; rx: { bytes: number } } }[]
  return { tx: link.stats64.tx.bytes, rx: link.stats64.rx.bytes }
}

async function cost(lab: CallLab, label: string): Promise<void> {
  const before = processes()
  const cpu0 = [sideCpu(lab.alice, before), sideCpu(lab.bob, before)]
  const net0 = lanBytes(lab.alice.ns)
  const t0 = Date.now()
  await new Promise((resolve) => setTimeout(resolve, COST_MS))
  const after = processes()
  const cpu1 = [sideCpu(lab.alice, after), sideCpu(lab.bob, after)]
  const net1 = lanBytes(lab.alice.ns)
  const secs = (Date.now() - t0) / 1000
  const pct = (ms: number) => `${((ms / 1000 / secs) * 100).toFixed(0)} %`
  const sides = ['Alice', 'Bob'].map((name, i) => {
    const chromium = cpu1[i].chromium - cpu0[i].chromium
    const node = cpu1[i].node - cpu0[i].node
    return `${name} ${pct(chromium + node)} (Chromium ${pct(chromium)}, node ${pct(node)})`
  })
  const perMinute = (bytes: number) => `${((bytes / secs) * 60 / 1e6).toFixed(2)} MB`
  console.log(
    `${label}, over ${secs.toFixed(0)} s: CPU per side, share of one core: ${sides.join('; ')}. ` +
      `Bandwidth on Alice's LAN link per minute: out ${perMinute(net1.tx - net0.tx)}, in ${perMinute(net1.rx - net0.rx)} (load average ${loadavg()[0].toFixed(1)})`
  )
}

export async function labRuns(): Promise<void> {
  const why = labUnavailable()
  if (why !== null) return console.log(`calls on a namespace LAN: skipped (${why})`)
  await ensureRendererBuilt()
  const dir = mkdtempSync(join(tmpdir(), 'cairn-calls-bench-'))
  const wav = join(dir, 'bursts.wav')
  writeFileSync(wav, burstWav(880, PERIOD_MS, 100, 10))
  const lab = await startCallLab({
    tag: 'bench',
    aliceArgs: [`--use-file-for-fake-audio-capture=${wav}`],
    prepare: async (alice, bob) => {
      await meterCapture(alice)
      await watchPlayoutNodes(bob)
      await watchArrivals(bob)
    }
  })
  try {
    await cost(lab, 'reference, no call: both apps open on the conversation list')
    const voice = await lab.call(false)
    await new Promise((resolve) => setTimeout(resolve, 3_000))
    await meterPlayout(lab.bob.page, LISTEN_MS)
    const m = await mouthToEar(lab.alice.page, lab.bob.page, PERIOD_MS)
    const q = (p: number, of = m.latencies) => quantile(of, p).toFixed(0)
    console.log(
      `mouth to ear, voice call across a namespace LAN (${m.latencies.length} bursts of ${m.captured} captured): p50 ${q(0.5)} ms, p95 ${q(0.95)} ms, max ${q(1)} ms ` +
        `(target p95 ≤ 150 ms; includes the browser-reported output latency ${m.outputLatencyMs.toFixed(0)} ms; load average ${loadavg()[0].toFixed(1)}); ` +
        `in order: ${m.latencies.map((x) => x.toFixed(0)).join(' ')}; of which capture → Bob's page (every audio frame): p50 ${q(0.5, m.toPage)} ms, p95 ${q(0.95, m.toPage)} ms`
    )
    await cost(lab, 'voice call (Opus 32 kbit/s, 20 ms)')
    await voice.alice.getByRole('button', { name: 'Hang up' }).click()
    await voice.bob.waitFor({ state: 'detached', timeout: 20_000 })
    await lab.call(true)
    await new Promise((resolve) => setTimeout(resolve, 5_000))
    await cost(lab, `video call, both ways (720p30 asked for; Bob's page shows ${await shownSize(lab.bob.page)})`)
  } finally {
    await lab.destroy()
    rmSync(dir, { recursive: true, force: true })
  }
}

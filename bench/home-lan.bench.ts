// Home nodes on a LAN (needs root: one network namespace per host on one bridge, a stand-in internet
// DHT in another, nothing routed anywhere else). Alice and Bob are whole Cairn hosts
// (test/helpers/lan/host-node.ts), each linked to a home node of their own (box-node.ts); Carol and
// Dave have none and give the references. Times are taken in this process when each host's report
// arrives on its pipe, so both ends of a span carry the same pipe delay.
//  (1) send → fetchable: Alice sends to Bob while both are online; until her home node has fetched
//      the block. Reference: the same message reaching Bob's device. Target ≤ 5 s.
//  (2) 100 waiting messages: written by Alice while Bob was away, delivered to his home node, Alice
//      gone; from Bob's host reporting ready to his 100th message. Reference: the same from Carol,
//      who stays online, to Dave. Target ≤ 2 s.
//  (3) the home node's idle RSS after (1) and (2), run as the README's systemd unit runs it (the
//      compiled CLI, a 1 MB young generation, two malloc arenas); reference: the box run from the
//      sources through tsx. Target ≤ 80 MB.
//  (4) Bob's home node's disk growth over the ciphertext it took in for the 100 messages of (2)
//      (100-character texts), at rest (daemon stopped, its write-ahead log flushed): RocksDB's tables,
//      blob files and write-ahead log; its per-start files are printed apart. Target ≤ 10 %. Each
//      message is a block of its own with its Merkle tree nodes (~85 B), so short texts cannot meet
//      it without packing several messages per block (a new log format).
//
//   npm run bench -- home-lan
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { readdir, readFile, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { cryptoReady } from '../core/crypto'
import { HomeBox } from '../core/home'
import { buildCli } from '../scripts/build-cli'
import { Lab, labUnavailable, removeLeftovers, type NodeProcess, type Report } from '../test/helpers/lan/netns'

const HOST_NODE = fileURLToPath(new URL('../test/helpers/lan/host-node.ts', import.meta.url))
const BOX_NODE = fileURLToPath(new URL('../test/helpers/lan/box-node.ts', import.meta.url))
const INTERNET = fileURLToPath(new URL('../test/helpers/lan/internet-node.ts', import.meta.url))
const BOUND = 60_000
const ROUNDS = 30
const WAITING = 100
const TEXT = 'x'.repeat(96)

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)]
const ms = (n: number) => `${n.toFixed(1)} ms`
const load = async () => (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ')
const after = (proc: NodeProcess, from: number, match: (r: Report) => boolean) => (r: Report) => proc.reports.indexOf(r) >= from && match(r)
const inMessage = (from: string, text: string) => (r: Report) => r.type === 'message' && r.direction === 'in' && r.contact === from && r.text === text

async function rssMB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024
}

/**
 * RocksDB's data files (tables, blob files, write-ahead log), and apart from them the files it
 * writes once per start (OPTIONS, MANIFEST and the text info logs), which do not grow with messages.
 */
async function dataBytes(dir: string): Promise<{ data: number; perStart: number }> {
  const out = { data: 0, perStart: 0 }
  for (const entry of await readdir(dir, { recursive: true })) {
    const s = await stat(join(dir, entry))
    if (!s.isFile()) continue
    if (/\.(sst|blob|log)$/.test(entry)) out.data += s.size
    else out.perStart += s.size
  }
  return out
}

/** The box folder at rest: its data bytes, and the ciphertext bytes its profiles hold. */
async function atRest(dir: string): Promise<{ disk: number; perStart: number; held: number }> {
  const box = await HomeBox.open({ dir })
  const held = (await box.status()).profiles.reduce((n, p) => n + p.bytes, 0)
  await box.close()
  const { data, perStart } = await dataBytes(join(dir, 'cores'))
  return { disk: data, perStart, held }
}

class Bench {
  readonly procs: NodeProcess[] = []
  readonly ids: Record<string, string> = {}
  readonly boxes: Record<string, NodeProcess> = {}
  readonly codes: Record<string, string> = {}
  bootstrap = ''

  constructor(
    readonly lab: Lab,
    readonly dirs: string
  ) {}

  /** Starts a person's host; resolves with it and the moment its ready report arrived. */
  async person(ns: string, name: string): Promise<{ proc: NodeProcess; readyAt: number }> {
    const proc = this.lab.spawn(ns, HOST_NODE, { CAIRN_PROFILE: join(this.dirs, ns), CAIRN_NAME: name, CAIRN_BOOTSTRAP: this.bootstrap, CAIRN_LAN: '0' })
    this.procs.push(proc)
    const ready = await proc.wait((r) => r.type === 'ready', BOUND, `${name} ready`)
    const readyAt = performance.now()
    this.ids[ns] = String(ready.id)
    return { proc, readyAt }
  }

  async box(ns: string): Promise<void> {
    const proc = this.lab.spawn(ns, BOX_NODE, { CAIRN_BOX: join(this.dirs, ns), CAIRN_BOOTSTRAP: this.bootstrap })
    this.procs.push(proc)
    this.boxes[ns] = proc
    this.codes[ns] = String((await proc.wait((r) => r.type === 'ready', BOUND, `box ${ns}`)).code)
  }

  /** Two people add each other and exchange one message. */
  async meet(x: NodeProcess, xs: string, y: NodeProcess, ys: string): Promise<void> {
    x.send({ cmd: 'add', id: this.ids[ys], name: ys })
    y.send({ cmd: 'add', id: this.ids[xs], name: xs })
    x.send({ cmd: 'send', id: this.ids[ys], texts: ['hello'] })
    await y.wait(inMessage(this.ids[xs], 'hello'), BOUND, 'the first message')
  }
}

/** (1): per round, the time to Alice's box fetching the block and to Bob's device having it. */
async function sendToFetchable(bench: Bench, a: NodeProcess, b: NodeProcess): Promise<{ box: number[]; direct: number[] }> {
  const ha = bench.boxes.ha
  const box: number[] = []
  const direct: number[] = []
  for (let i = 0; i < ROUNDS; i++) {
    const text = `round ${i} ${TEXT}`
    const fromHa = ha.reports.length
    const fromB = b.reports.length
    const t0 = performance.now()
    a.send({ cmd: 'send', id: bench.ids.b, texts: [text] })
    const [tBox, tDirect] = await Promise.all([
      ha.wait(after(ha, fromHa, (r) => r.type === 'box-fetched' && Number(r.length) >= i + 2), BOUND, 'Alice’s box fetching').then(() => performance.now()),
      b.wait(after(b, fromB, inMessage(bench.ids.a, text)), BOUND, 'Bob receiving').then(() => performance.now())
    ])
    box.push(tBox - t0)
    direct.push(tDirect - t0)
  }
  return { box, direct }
}

/** From the recipient's host reporting ready to its last waiting message. */
async function catchUp(bench: Bench, ns: string, name: string, from: string, last: string): Promise<{ ms: number; got: number }> {
  const { proc, readyAt } = await bench.person(ns, name)
  await proc.wait(inMessage(bench.ids[from], last), BOUND, `${name}'s last waiting message`)
  const took = performance.now() - readyAt
  const got = proc.reports.filter((r) => r.type === 'message' && r.direction === 'in' && r.contact === bench.ids[from]).length
  await proc.stop(30_000)
  return { ms: took, got }
}

const waitingTexts = (who: string) => Array.from({ length: WAITING }, (_, i) => `${who} ${String(i).padStart(3, '0')} ${TEXT}`)

/** The box in the namespace run as the README's unit runs it; its RSS once idle. */
async function unitRss(lab: Lab, ns: string, dir: string, bootstrap: string): Promise<number> {
  const bundle = await buildCli()
  const args = ['netns', 'exec', lab.host(ns).ns, process.execPath, '--max-semi-space-size=1', bundle, 'home', 'run', '--no-lan', '--profile', dir, '--bootstrap', bootstrap]
  const child = spawn('ip', args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MALLOC_ARENA_MAX: '2' } })
  let seen = ''
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the unit-style box did not start: ${seen}`)), BOUND)
    child.stderr.on('data', (c: Buffer) => {
      seen += c.toString()
      if (seen.includes('listening;')) {
        clearTimeout(timer)
        resolve()
      }
    })
  })
  await new Promise((r) => setTimeout(r, 3000))
  const rss = await rssMB(child.pid!)
  const exited = new Promise((r) => child.once('exit', r))
  child.kill('SIGTERM')
  await exited
  return rss
}

async function run(bench: Bench): Promise<void> {
  const { lab, dirs } = bench
  const internet = lab.spawn('i', INTERNET)
  bench.procs.push(internet)
  bench.bootstrap = String((await internet.wait((r) => r.type === 'ready', BOUND, 'the internet DHT')).bootstrap)
  await Promise.all([bench.box('ha'), bench.box('hb')])
  const [{ proc: a }, { proc: b }] = await Promise.all([bench.person('a', 'alice'), bench.person('b', 'bob')])
  a.send({ cmd: 'link', code: bench.codes.ha })
  b.send({ cmd: 'link', code: bench.codes.hb })
  await a.wait((r) => r.type === 'linked' && r.online === true, BOUND, 'Alice linked')
  await b.wait((r) => r.type === 'linked' && r.online === true, BOUND, 'Bob linked')
  await bench.meet(a, 'a', b, 'b')
  await bench.boxes.hb.wait((r) => r.type === 'box-fetched', BOUND, 'Bob’s box fetching Alice’s log')
  await bench.boxes.ha.wait((r) => r.type === 'box-fetched', BOUND, 'Alice’s box fetching her log')

  const one = await sendToFetchable(bench, a, b)
  console.log(`(1) send → fetchable from Alice's home node, both online (${ROUNDS} messages): median ${ms(median(one.box))}, p90 ${ms(p90(one.box))}; target ≤ 5000 ms`)
  console.log(`    reference, the same messages reaching Bob's device:           median ${ms(median(one.direct))}, p90 ${ms(p90(one.direct))}   (load ${await load()})`)

  await b.stop(30_000)
  await bench.boxes.hb.stop(30_000)
  const before = await atRest(join(dirs, 'hb'))
  await bench.box('hb')
  const texts = waitingTexts('alice')
  a.send({ cmd: 'send', id: bench.ids.b, texts })
  const sent = (await a.wait((r) => r.type === 'sent' && r.count === WAITING, BOUND, 'sent')).ids as string[]
  await a.wait((r) => r.type === 'state' && r.id === sent[WAITING - 1] && r.state === 'home', BOUND, 'all delivered to Bob’s home node')
  await a.stop(30_000)
  const fromHome = await catchUp(bench, 'b', 'bob', 'a', texts[WAITING - 1])

  const [{ proc: c }, { proc: d }] = await Promise.all([bench.person('c', 'carol'), bench.person('d', 'dave')])
  await bench.meet(c, 'c', d, 'd')
  await d.stop(30_000)
  const direct = waitingTexts('carol')
  c.send({ cmd: 'send', id: bench.ids.d, texts: direct })
  await c.wait((r) => r.type === 'sent' && r.count === WAITING, BOUND, 'Carol sent')
  const fromCarol = await catchUp(bench, 'd', 'dave', 'c', direct[WAITING - 1])
  await c.stop(30_000)
  console.log(`(2) ${WAITING} waiting messages, Bob's host ready → all ${fromHome.got} received from his home node, Alice gone: ${ms(fromHome.ms)}; target ≤ 2000 ms`)
  console.log(`    reference, ${WAITING} straight from Carol (online) to Dave:                      ${ms(fromCarol.ms)} (${fromCarol.got} received)   (load ${await load()})`)

  await new Promise((r) => setTimeout(r, 3000))
  const sourcesRss = await rssMB(bench.boxes.hb.pid!)
  await bench.boxes.hb.stop(30_000)
  const rest = await atRest(join(dirs, 'hb'))
  const growth = rest.disk - before.disk
  const ciphertext = rest.held - before.held
  const unit = await unitRss(lab, 'hb', join(dirs, 'hb'), bench.bootstrap)
  console.log(`(3) Bob's home node idle RSS, run as the README's unit runs it: ${unit.toFixed(1)} MB; target ≤ 80 MB`)
  console.log(`    reference, the same box run from the sources through tsx after (1) and (2): ${sourcesRss.toFixed(1)} MB`)
  console.log(
    `(4) Bob's home node's disk at rest over the ciphertext it took in, ${WAITING} × ${TEXT.length + 10}-character texts: ` +
      `+${((growth / ciphertext - 1) * 100).toFixed(1)} % (${growth} B for ${ciphertext} B, ${((growth - ciphertext) / WAITING).toFixed(0)} B/message); target ≤ 10 %`
  )
  console.log(`    not counted: RocksDB's per-start files (OPTIONS, MANIFEST, info logs) went from ${before.perStart} B to ${rest.perStart} B over the box's restarts`)
}

const why = labUnavailable()
if (why !== null) {
  console.log(`skipped: ${why}`)
} else {
  await cryptoReady()
  removeLeftovers()
  const dirs = mkdtempSync(join(tmpdir(), 'cairn-bench-home-lan-'))
  const lab = Lab.create(['i', 'ha', 'hb', 'a', 'b', 'c', 'd'], 'hbench')
  const bench = new Bench(lab, dirs)
  try {
    await run(bench)
  } finally {
    await Promise.allSettled(bench.procs.map((p) => p.stop(20_000)))
    lab.destroy()
    rmSync(dirs, { recursive: true, force: true })
  }
}

// Call transport benchmark, two Cairn Networks on a loopback HyperDHT testnet in this process:
// (1) bare secret-stream datagrams (trySend), echoed: round trip and loss, small and full-size;
// (2) the same while bulk data moves on a Protomux channel of the same connection (chat traffic);
// (3) sealed media datagrams through MediaLink (per-call AEAD, replay window, bounded queue): round
// trip of a 160-byte Opus-sized packet against (1), and sealing/opening cost per packet.
// (4) call setup on an existing connection: CallManager offer → active at the caller, the callee
// accepting at once (no person in the loop), 20 calls one after another; target ≤ 1 s.
// (5) the app between two hosts on a namespace LAN (bench/calls-lab.ts): mouth-to-ear latency
// (target p95 ≤ 150 ms), CPU per side and bandwidth per minute of a voice and a 720p30 video call.
// Reference: the bare datagram path (1) is the floor any media path on this connection can reach.
import c from 'compact-encoding'
import Protomux from 'protomux'
import { randomBytes } from '../core/crypto'
import { DatagramOpener, DatagramSealer } from '../core/media/datagram'
import { MediaLink } from '../core/media/media-link'
import type { MediaPacket } from '../core/media/media-packet'
import type { NoiseSecretStream } from 'hyperdht'
import { CallManager, type CallEvent } from '../core/media/call-manager'
import { Harness, connectPair, type TestNode } from '../test/helpers/net'
import { SESSION_ID, side } from '../test/media/call-pair'
import type { Peer } from '../core/net'
import { labRuns } from './calls-lab'

const COUNT = Number(process.env.CALLS_COUNT ?? 2000)
const GAP_MS = 2

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function quantiles(samples: number[]): string {
  const s = [...samples].sort((x, y) => x - y)
  const q = (p: number) => (s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN).toFixed(3)
  return `p50 ${q(0.5)} ms, p95 ${q(0.95)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms`
}

async function echoRun(label: string, a: NoiseSecretStream, b: NoiseSecretStream, size: number, gapMs: number): Promise<void> {
  const echo = (m: Buffer) => b.trySend(m)
  b.on('message', echo)
  const sentAt = new Map<number, bigint>()
  const rtts: number[] = []
  const onReply = (m: Buffer) => {
    const t = sentAt.get(m.readUInt32LE(0))
    if (t === undefined) return
    rtts.push(Number(process.hrtime.bigint() - t) / 1e6)
    sentAt.delete(m.readUInt32LE(0))
  }
  a.on('message', onReply)
  for (let i = 0; i < COUNT; i++) {
    const buf = Buffer.alloc(size)
    buf.writeUInt32LE(i, 0)
    sentAt.set(i, process.hrtime.bigint())
    a.trySend(buf)
    if (gapMs > 0) await sleep(gapMs)
    else if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve))
  }
  await sleep(500)
  a.off('message', onReply)
  b.off('message', echo)
  const loss = ((COUNT - rtts.length) / COUNT) * 100
  console.log(`${label}: ${COUNT} × ${size} B, lost ${loss.toFixed(2)} %, round trip ${quantiles(rtts)}`)
}

async function withBulk(a: NoiseSecretStream, b: NoiseSecretStream, run: () => Promise<void>): Promise<void> {
  let received = 0
  const open = (s: NoiseSecretStream, onmessage: (m: Buffer) => void) => {
    const ch = Protomux.from(s).createChannel({ protocol: 'bench/bulk', messages: [{ encoding: c.buffer, onmessage }] })
    if (ch === null) throw new Error('bulk channel')
    ch.open()
    return ch.messages[0]
  }
  const tx = open(a, () => {})
  open(b, (m) => (received += m.byteLength))
  await sleep(200)
  const chunk = Buffer.alloc(16 * 1024)
  const timer = setInterval(() => {
    for (let k = 0; k < 8; k++) tx.send(chunk)
  }, 5)
  const t0 = Date.now()
  await run()
  clearInterval(timer)
  console.log(`  (bulk on the same connection meanwhile: ${(received / 1e6).toFixed(1)} MB in ${((Date.now() - t0) / 1000).toFixed(1)} s)`)
}

async function sealedRun(a: NoiseSecretStream, b: NoiseSecretStream): Promise<void> {
  const k1 = randomBytes(32)
  const k2 = randomBytes(32)
  const la = new MediaLink(a)
  const lb = new MediaLink(b)
  const ma = la.addCall(7, k1, k2)
  const mb = lb.addCall(7, k2, k1)
  mb.on('packet', (p: MediaPacket) => mb.send(p))
  const sentAt = new Map<number, bigint>()
  const rtts: number[] = []
  ma.on('packet', (p: MediaPacket) => {
    if (p.kind !== 'media') return
    const t = sentAt.get(p.seq)
    if (t !== undefined) rtts.push(Number(process.hrtime.bigint() - t) / 1e6)
  })
  for (let seq = 0; seq < COUNT; seq++) {
    sentAt.set(seq, process.hrtime.bigint())
    ma.send({ kind: 'media', stream: 'audio', keyframe: false, seq, timestampUs: seq * 20_000, fragment: 0, fragments: 1, data: Buffer.alloc(160) })
    await sleep(GAP_MS)
  }
  await sleep(500)
  console.log(`sealed media (MediaLink): ${COUNT} × 160 B payload, lost ${(((COUNT - rtts.length) / COUNT) * 100).toFixed(2)} %, round trip ${quantiles(rtts)}`)
  la.close()
  lb.close()
}

function sealCost(): void {
  const key = randomBytes(32)
  const sealer = new DatagramSealer(key, 1)
  const opener = new DatagramOpener(key)
  for (const size of [160, 1100]) {
    const n = 20_000
    const data = Buffer.alloc(size)
    const sealed: Buffer[] = []
    const t0 = process.hrtime.bigint()
    for (let seq = 0; seq < n; seq++) sealed.push(sealer.seal({ kind: 'media', stream: 'video', keyframe: false, seq, timestampUs: 0, fragment: 0, fragments: 1, data }))
    const t1 = process.hrtime.bigint()
    for (const bytes of sealed) opener.open(bytes)
    const t2 = process.hrtime.bigint()
    console.log(`seal ${size} B: ${(Number(t1 - t0) / n / 1000).toFixed(2)} µs, open: ${(Number(t2 - t1) / n / 1000).toFixed(2)} µs per packet`)
  }
}

function manager(node: TestNode, peer: Peer, remote: TestNode): CallManager {
  const s = side(node, peer)
  const m = new CallManager({
    localIdentity: node.keyPair.publicKey,
    sessionIdOf: () => SESSION_ID,
    hasSession: (_remote, sid) => sid.equals(SESSION_ID),
    sendFrame: (_remote, frame) => (s.sendFrame(frame), true),
    streamOf: () => peer.stream,
    canTakeCalls: true
  })
  s.onFrame = (frame) => m.receive(remote.keyPair.publicKey, frame)
  return m
}

async function setupRun(h: Harness): Promise<void> {
  const [a, b] = [await h.node(), await h.node()]
  const [pa, pb] = await connectPair(a, b)
  const caller = manager(a, pa, b)
  const callee = manager(b, pb, a)
  callee.on('call', (e: CallEvent) => e.type === 'incoming' && callee.accept(e.call.id, false))
  const times: number[] = []
  for (let i = 0; i < 20; i++) {
    const t0 = process.hrtime.bigint()
    const active = new Promise<void>((resolve) => {
      const on = (e: CallEvent) => {
        if (e.type !== 'phase' || e.call.phase !== 'active') return
        caller.off('call', on)
        resolve()
      }
      caller.on('call', on)
    })
    const call = caller.start(b.keyPair.publicKey, false)
    await active
    times.push(Number(process.hrtime.bigint() - t0) / 1e6)
    caller.hangup(call.id)
    await sleep(50)
  }
  console.log(`call setup on an existing connection (offer → active at the caller, 20 calls): ${quantiles(times)} (target ≤ 1000 ms)`)
}

async function main(): Promise<void> {
  const h = new Harness()
  await h.start()
  try {
    const [pa, pb] = await connectPair(await h.node(), await h.node())
    await echoRun('bare datagrams, every 2 ms', pa.stream, pb.stream, 160, GAP_MS)
    await echoRun('bare datagrams, back to back', pa.stream, pb.stream, 1000, 0)
    await withBulk(pa.stream, pb.stream, () => echoRun('bare datagrams during bulk chat traffic', pa.stream, pb.stream, 160, GAP_MS))
    await sealedRun(pa.stream, pb.stream)
    sealCost()
    await setupRun(h)
  } finally {
    await h.stop()
  }
  await labRuns()
}

await main()

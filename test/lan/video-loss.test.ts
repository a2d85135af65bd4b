// Video through 10 % packet loss and 40 ± 20 ms of delay between two Cairn nodes on a namespace LAN,
// without browsers: the nodes carry the call as the app does (core/media), and the app's video
// pipeline is stood in for by frames of VP8-like sizes and a receiver that follows the renderer's
// rule (test/helpers/lan/video-model.ts: after a gap, skip to the next keyframe and ask for one). Two
// Chromiums encoding and decoding 720p on this shared 2-core machine measure its load more than the
// call (test/lan/call-loss.test.ts is the same path with the real codecs). The relay in the bridge
// namespace delays every datagram (test/helpers/lan/delay-relay.ts) from before the nodes start; the
// drop rule goes on once the call is up. Audio-sized frames go alongside, 50 a second. Printed: how
// much video would decode, how long the picture takes to come back after each keyframe request,
// the longest freeze, audio delivery per second; the test asserts that the picture keeps coming back.
import { loadavg, tmpdir } from 'node:os'
import { mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, expect, it } from 'vitest'
import { decodeContactId } from '../../core/identity'
import { delayBetweenHosts, type DelayedPath } from '../helpers/lan/delayed-path'
import { Lab, labUnavailable, removeLeftovers, type NodeProcess } from '../helpers/lan/netns'
import { quantile } from '../helpers/mouth-to-ear'
import type { VideoReport } from '../helpers/lan/video-model'

const unavailable = labUnavailable()
const HOST_NODE = fileURLToPath(new URL('../helpers/lan/host-node.ts', import.meta.url))
const SECONDS = 20
const LOSS = 0.1
// What the app's VP8 sends at its starting 1 Mbit/s, 30 fps: a keyframe about ten deltas' worth
const SIZES = { keyBytes: 40_000, deltaBytes: 4_000 }

let lab: Lab | null = null
let path: DelayedPath | null = null
let profiles = ''
const procs: NodeProcess[] = []

afterAll(async () => {
  await Promise.allSettled(procs.map((p) => p.stop(20_000)))
  await path?.stop()
  lab?.destroy()
  if (profiles) rmSync(profiles, { recursive: true, force: true })
}, 60_000)

it.skipIf(unavailable !== null)(`video through 10 % loss and 40 ± 20 ms of delay keeps coming back after every loss${unavailable ? ` (skipped: ${unavailable})` : ''}`, async () => {
  removeLeftovers()
  profiles = mkdtempSync(join(tmpdir(), 'cairn-video-loss-'))
  lab = Lab.create(['a', 'b'], 'video', { defaultRoute: false })
  path = await delayBetweenHosts(lab, 40, 20)
  const ids: Record<string, string> = {}
  const start = async (name: string, env: Record<string, string>) => {
    const proc = lab!.spawn(name, HOST_NODE, { CAIRN_PROFILE: join(profiles, name), CAIRN_NAME: name, ...env })
    procs.push(proc)
    ids[name] = String((await proc.wait((r) => r.type === 'ready', 90_000, 'ready')).id)
    return proc
  }
  const [a, b] = await Promise.all([start('a', {}), start('b', { CAIRN_ANSWER: '1' })])
  a.send({ cmd: 'add', id: ids.b, name: 'Bob' })
  b.send({ cmd: 'add', id: ids.a, name: 'Alice' })
  await a.wait((r) => r.type === 'contact' && r.id === ids.b && r.presence === 'lan', 120_000, 'Bob on the LAN')
  // The two met over a request's inbox connection, which the pair's own then replaces; the call is
  // placed once that swap is done, so what this measures is the loss and the delay alone. (In one
  // full run, a call placed right after "Bob on the LAN" never became active within 60 s; whether the
  // swap was the cause is not known.)
  const bobKey = decodeContactId(ids.b).toString('hex')
  await a.wait((r) => r.type === 'peer' && r.remote === bobKey && r.pair === true, 120_000, "Bob over the pair's own connection")
  a.send({ cmd: 'call', id: ids.b })
  const call = String((await a.wait((r) => r.type === 'call-active', 60_000, 'the call active')).id)
  await b.wait((r) => r.type === 'call' && r.phase === 'active', 30_000, 'the call active at Bob')

  await path.stats()
  path.dropUdp(LOSS)
  a.send({ cmd: 'video', id: call, seconds: SECONDS, ...SIZES })
  a.send({ cmd: 'stream', id: call, count: SECONDS * 50, from: 0 })
  const sent = Number((await a.wait((r) => r.type === 'video-sent', (SECONDS + 60) * 1000, 'the video sent')).sent)
  await a.wait((r) => r.type === 'streamed', 60_000, 'the audio sent')
  // the last frames' way across (and a last repair), then what Bob's node made of them
  await new Promise((resolve) => setTimeout(resolve, 1_500))
  b.send({ cmd: 'video-report', id: call })
  const video = (await b.wait((r) => r.type === 'video-report', 10_000, 'the video report')) as unknown as VideoReport
  b.send({ cmd: 'arrivals' })
  const audio = (await b.wait((r) => r.type === 'arrivals', 10_000, 'arrivals')).frames as { seq: number }[]
  const relay = await path.stats()
  const got = new Set(audio.map((f) => f.seq))
  const perSecond = Array.from({ length: SECONDS }, (_, s) => Array.from({ length: 50 }, (_, i) => got.has(s * 50 + i)).filter(Boolean).length / 50)
  const q = (p: number) => quantile(video.recoveries, p).toFixed(0)
  console.log(
    `video over 10 % loss and 40 ± 20 ms (frames of ${SIZES.deltaBytes} B, keyframes ${SIZES.keyBytes} B, 30 fps): ${video.decoded} of ${sent} frames decodable, ` +
      `${video.asks} keyframe requests, picture back after p50 ${q(0.5)} ms, p95 ${q(0.95)} ms, max ${q(1)} ms (${video.unrecovered} not by the end), ` +
      `longest freeze ${video.longestFreezeMs.toFixed(0)} ms; audio frames per second delivered: ${perSecond.map((x) => x.toFixed(2)).join(' ')}; ` +
      `the relay held ${JSON.stringify(relay.heldMs)} ms; drop rule: ${path.dropped()}; load average ${loadavg()[0].toFixed(1)}`
  )
  // Without repair, a lost fragment of any frame froze the picture until a keyframe came whole.
  expect(video.decoded).toBeGreaterThan(sent / 2)
  expect(video.unrecovered).toBeLessThanOrEqual(1)
  expect(audio.length).toBeGreaterThan(SECONDS * 50 * 0.6)
  a.send({ cmd: 'hangup', id: call })
  await b.wait((r) => r.type === 'call-ended', 60_000, 'the hangup at Bob')
}, 360_000)

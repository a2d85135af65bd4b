// A video call through 10 % packet loss between two hosts on a namespace LAN: each host runs its
// node, web shell and Chromium inside its namespace (test/helpers/lan/call-lab.ts), and the bridge
// namespace between them drops 10 % of the UDP packets it forwards, both ways (iptables' statistic
// match on the bridge's FORWARD chain; this kernel has no netem). Alice's microphone plays an 880 Hz
// tone; in Bob's page the test counts the seconds in which the tone is heard, and times how long the
// picture takes to come back after each keyframe request (a lost fragment leaves a frame that
// cannot be decoded until the next keyframe). The same call through 40 ± 20 ms of delay as well is
// test/lan/call-delay.test.ts. The numbers are printed
// here and set against the targets (≥ 95 % of seconds heard, recovery within 1 s) in the README;
// the test asserts that the tone is mostly heard and the picture keeps coming back.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { pageNow, shownSize, toneSeconds, videoRecovery, watchVideo } from '../helpers/call-quality'
import { labUnavailable, startCallLab, type CallLab } from '../helpers/lan/call-lab'
import { quantile, watchPlayoutNodes } from '../helpers/mouth-to-ear'
import { toneWav } from '../media/browser/wav'

const unavailable = labUnavailable()
const TONE_HZ = 880
const SECONDS = 20
const LOSS = 0.1

let lab: CallLab | null = null
let dir = ''

beforeAll(async () => {
  if (unavailable !== null) return
  dir = mkdtempSync(join(tmpdir(), 'cairn-call-loss-'))
  const wav = join(dir, 'tone.wav')
  writeFileSync(wav, toneWav(TONE_HZ, 4))
  lab = await startCallLab({
    tag: 'loss',
    aliceArgs: [`--use-file-for-fake-audio-capture=${wav}`],
    prepare: async (_alice, bob) => {
      await watchPlayoutNodes(bob)
      await watchVideo(bob)
    }
  })
}, 360_000)

afterAll(async () => {
  await lab?.destroy()
  if (dir) rmSync(dir, { recursive: true, force: true })
}, 60_000)

function bridge(...args: string[]): string {
  return execFileSync('ip', ['netns', 'exec', lab!.lab.bridgeNs, 'iptables', ...args], { encoding: 'utf8' })
}

it.skipIf(unavailable !== null)(`a video call through 10 % loss: the tone is heard and the picture comes back${unavailable ? ` (skipped: ${unavailable})` : ''}`, async () => {
  const page = lab!.bob.page
  const screens = await lab!.call(true)
  await expect.poll(() => page.evaluate(() => (window as unknown as { decodedAt: number[] }).decodedAt.length), { timeout: 30_000 }).toBeGreaterThan(10)
  bridge('-A', 'FORWARD', '-p', 'udp', '-m', 'statistic', '--mode', 'random', '--probability', String(LOSS), '-j', 'DROP')
  const from = await pageNow(page)
  const sizeBefore = await shownSize(page)
  const heard = await toneSeconds(page, SECONDS, TONE_HZ)
  const video = await videoRecovery(page, from, await pageNow(page))
  const dropped = bridge('-L', 'FORWARD', '-v', '-x', '-n').trim().split('\n').at(-1)
  const q = (p: number) => quantile(video.recoveries, p).toFixed(0)
  console.log(
    `10 % loss on the LAN, video call: tone heard in ${heard} of ${SECONDS} seconds; video ${video.decoded} frames decoded in ${SECONDS} s, ` +
      `${video.asks} keyframe requests, picture back after p50 ${q(0.5)} ms, p95 ${q(0.95)} ms, max ${q(1)} ms (${video.unrecovered} not by the end), ` +
      `longest freeze ${video.longestFreezeMs.toFixed(0)} ms; Bob's page showed ${sizeBefore}, then ${await shownSize(page)} ` +
      `(load average ${loadavg()[0].toFixed(1)}); the bridge's drop rule: ${dropped}`
  )
  // A loaded machine starves the pages and the encoders (3 frames a second decoded at load average
  // 23 here); a call that falls apart under loss hears little, and its picture stays frozen after
  // the first lost keyframe (a few frames in 20 s before keyframes were sent twice and asked again).
  expect(heard).toBeGreaterThanOrEqual(SECONDS / 2)
  expect(video.decoded).toBeGreaterThan(SECONDS)
  await screens.alice.getByRole('button', { name: 'Hang up' }).click()
  // The hangup crosses the lossy bridge on the reliable channel; once (CI, load average ~20) Bob's
  // call was still open 30 s later. If the connection was replaced under loss, the end now reaches
  // Bob on the next one (call-manager answers a resent accept of an ended call with a hangup).
  await screens.bob.waitFor({ state: 'detached', timeout: 60_000 })
}, 360_000)

// Calls through the whole app: two web shells on a loopback testnet, two Chromiums with fake
// devices (Alice's microphone plays a tone from a WAV this test writes). Alice calls Bob from the
// conversation; Bob accepts on the incoming-call screen; the tone Alice's page captured is found by
// FFT in what Bob's page plays; both screens show the same words; hang up; then an unanswered call
// shows as missed in Bob's conversation.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { Browser, createIdentity, startShellPair, type ShellPair } from '../helpers/e2e'
import { toneWav } from '../media/browser/wav'

const PASS = 'correct horse battery staple'
const TONE_HZ = 880
const FAKE_MEDIA = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required']

let pair: ShellPair
let alicesBrowser: Browser
let bobsBrowser: Browser
let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-calls-e2e-'))
  const wav = join(dir, 'tone.wav')
  await writeFile(wav, toneWav(TONE_HZ, 4))
  pair = await startShellPair()
  alicesBrowser = await Browser.launch([...FAKE_MEDIA, `--use-file-for-fake-audio-capture=${wav}`])
  bobsBrowser = await Browser.launch(FAKE_MEDIA)
}, 180_000)

afterAll(async () => {
  await alicesBrowser?.close()
  await bobsBrowser?.close()
  await pair?.destroy()
  await rm(dir, { recursive: true, force: true })
})

/** Keeps every AudioWorkletNode the page makes, so the test can meter what the call plays. */
async function watchPlayout(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const Native = AudioWorkletNode
    const made: AudioWorkletNode[] = []
    ;(window as unknown as { playoutNodes: AudioWorkletNode[] }).playoutNodes = made
    window.AudioWorkletNode = class extends Native {
      constructor(...args: ConstructorParameters<typeof AudioWorkletNode>) {
        super(...args)
        made.push(this)
      }
    }
  })
}

/** Samples the played audio's spectrum ten times a second; how many windows peak at the tone. */
function toneWindows(page: Page, windows: number): Promise<number> {
  return page.evaluate(
    async ({ windows, hz }) => {
      const node = (window as unknown as { playoutNodes: AudioWorkletNode[] }).playoutNodes.at(-1)
      if (!node) return 0
      const analyser = node.context.createAnalyser()
      analyser.fftSize = 8192
      analyser.smoothingTimeConstant = 0
      node.connect(analyser)
      const bins = new Float32Array(analyser.frequencyBinCount)
      const binHz = node.context.sampleRate / analyser.fftSize
      let heard = 0
      for (let i = 0; i < windows; i++) {
        await new Promise((r) => setTimeout(r, 100))
        analyser.getFloatFrequencyData(bins)
        let best = 0
        for (let k = 1; k < bins.length; k++) if (bins[k] > bins[best]) best = k
        const median = [...bins].sort((x, y) => x - y)[bins.length >> 1]
        if (Math.abs(best * binHz - hz) <= 2 * binHz && bins[best] - median > 30) heard++
      }
      return heard
    },
    { windows, hz: TONE_HZ }
  )
}

it('Alice calls Bob, Bob hears her tone, both see the same words, hang up, then a missed call shows', async () => {
  const [alice, bob] = pair.nodes
  const a = await alicesBrowser.page()
  const b = await bobsBrowser.page()
  await watchPlayout(b)
  let mediaAtBob = 0
  bob.host.on('event', (e) => {
    if (e.type === 'media') mediaAtBob++
  })
  await a.goto(alice.url)
  await createIdentity(a, 'Alice', PASS)
  await b.goto(bob.url)
  await createIdentity(b, 'Bob', PASS)
  // Contacts and a first message through the API: the chat test covers doing this in the UI.
  const aliceId = (await alice.host.profile()).id
  const bobId = (await bob.host.profile()).id
  await alice.host.addContact(bobId, 'Bob')
  await bob.host.addContact(aliceId, 'Alice')
  await alice.host.send(bobId, 'call me')
  await a.getByRole('region', { name: 'Contacts' }).getByRole('button', { name: /^Bob\b/ }).click()
  await b.getByRole('region', { name: 'Contacts' }).getByRole('button', { name: /^Alice\b/ }).click()
  await b.getByRole('region', { name: 'Alice' }).getByText('call me').waitFor({ timeout: 45_000 })

  const callButton = a.getByRole('region', { name: 'Bob' }).getByRole('button', { name: 'Call', exact: true })
  await expect.poll(() => callButton.isEnabled(), { timeout: 45_000 }).toBe(true)
  await callButton.click()
  const incoming = b.getByRole('dialog', { name: 'Incoming call from Alice' })
  await incoming.waitFor({ timeout: 15_000 })
  await incoming.getByRole('button', { name: 'Accept', exact: true }).click()
  const bobsCall = b.getByRole('dialog', { name: 'Call with Alice' })
  const alicesCall = a.getByRole('dialog', { name: 'Call with Bob' })
  await bobsCall.waitFor()
  await alicesCall.waitFor()
  const words = await bobsCall.getByLabel('Security words').textContent()
  expect(words?.split(' ')).toHaveLength(4)
  expect(await alicesCall.getByLabel('Security words').textContent()).toBe(words)

  await expect.poll(() => b.evaluate(() => (window as unknown as { playoutNodes: unknown[] }).playoutNodes.length), { timeout: 10_000 }).toBe(1)
  // A second of Alice's audio through Bob's core before listening.
  await expect.poll(() => mediaAtBob, { timeout: 15_000 }).toBeGreaterThan(50)
  const heard = await toneWindows(b, 20)
  console.log('tone heard in', heard, 'of 20 windows')
  expect(heard).toBeGreaterThanOrEqual(18)
  await bobsCall.getByLabel('Call quality').waitFor({ timeout: 10_000 })

  await alicesCall.getByRole('button', { name: 'Hang up' }).click()
  await bobsCall.waitFor({ state: 'detached' })
  await a.getByRole('region', { name: 'Bob' }).getByRole('list', { name: 'Calls' }).getByText(/^Call · \d+:\d\d/).waitFor()

  await callButton.click()
  await incoming.waitFor()
  await a.getByRole('dialog', { name: 'Calling Bob' }).getByRole('button', { name: 'Cancel' }).click()
  await incoming.waitFor({ state: 'detached' })
  await b.getByRole('region', { name: 'Alice' }).getByRole('list', { name: 'Calls' }).getByText(/^Missed call/).waitFor()
})

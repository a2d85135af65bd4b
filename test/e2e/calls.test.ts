// Calls through the whole app: two web shells on a loopback testnet, two Chromiums with fake
// devices (Alice's microphone plays a tone from a WAV this test writes). Alice calls Bob from the
// conversation; Bob accepts on the incoming-call screen; the tone Alice's page captured is found by
// FFT in what Bob's page plays; both screens show the same words; hang up; then an unanswered call
// shows as missed in Bob's conversation while Bob's page rings; then a call in which Alice picks
// another microphone and speaker and shares her screen.
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

/** Wall-clock arrival of each media event at the page, keyed by stream and seq (the web shell hop, core → page). */
async function watchMediaArrivals(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const arrivals = new Map<string, number>()
    ;(window as unknown as { mediaArrivals: Map<string, number> }).mediaArrivals = arrivals
    const onmessage = Object.getOwnPropertyDescriptor(WebSocket.prototype, 'onmessage')
    const add = WebSocket.prototype.addEventListener
    const note = (event: Event) => {
      const data = (event as MessageEvent).data
      if (typeof data !== 'string' || !data.includes('"type":"media"')) return
      const frame = (JSON.parse(data) as { event: { frame: { stream: string; seq: number } } }).event.frame
      arrivals.set(`${frame.stream}:${frame.seq}`, performance.timeOrigin + performance.now())
    }
    WebSocket.prototype.addEventListener = function (this: WebSocket, type: string, ...rest: unknown[]) {
      if (type === 'message') add.call(this, 'message', note)
      return (add as (...a: unknown[]) => void).call(this, type, ...rest)
    } as typeof WebSocket.prototype.addEventListener
    if (onmessage?.set) {
      const set = onmessage.set
      Object.defineProperty(WebSocket.prototype, 'onmessage', {
        ...onmessage,
        set(this: WebSocket, fn: ((e: MessageEvent) => void) | null) {
          set.call(this, fn && ((e: MessageEvent) => (note(e), fn.call(this, e))))
        }
      })
    }
  })
}

/** Wall-clock time each sendMedia request leaves the page, keyed by stream and seq (page → core). */
async function watchMediaSends(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const sent = new Map<string, number>()
    ;(window as unknown as { mediaSends: Map<string, number> }).mediaSends = sent
    const send = WebSocket.prototype.send
    WebSocket.prototype.send = function (this: WebSocket, data: Parameters<WebSocket['send']>[0]) {
      if (typeof data === 'string' && data.includes('"method":"sendMedia"')) {
        const frame = (JSON.parse(data) as { args: [string, { stream: string; seq: number }] }).args[1]
        sent.set(`${frame.stream}:${frame.seq}`, performance.timeOrigin + performance.now())
      }
      return send.call(this, data)
    }
  })
}

/** Keeps every audio context that makes an oscillator (the ringtone does; the call's playout does not). */
async function watchRingtone(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const contexts: BaseAudioContext[] = []
    ;(window as unknown as { ringContexts: BaseAudioContext[] }).ringContexts = contexts
    const create = BaseAudioContext.prototype.createOscillator
    BaseAudioContext.prototype.createOscillator = function (this: BaseAudioContext) {
      if (!contexts.includes(this)) contexts.push(this)
      return create.call(this)
    }
  })
}

const ringState = (page: Page) => page.evaluate(() => (window as unknown as { ringContexts: BaseAudioContext[] }).ringContexts.at(-1)?.state ?? 'none')

const quantile = (values: number[], p: number): number => [...values].sort((x, y) => x - y)[Math.floor(p * (values.length - 1))] ?? NaN

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
        ;(window as unknown as { peaks: string[] }).peaks = [...((window as unknown as { peaks?: string[] }).peaks ?? []), `${(best * binHz).toFixed(0)}Hz/${(bins[best] - median).toFixed(0)}dB`]
      }
      return heard
    },
    { windows, hz: TONE_HZ }
  )
}

// Three calls in a row (tone, missed, devices and screen): 11 s idle, over a minute on a loaded 2-core CI.
it('Alice calls Bob, Bob hears her tone, both see the same words, hang up, then a missed call shows', async () => {
  const [alice, bob] = pair.nodes
  const a = await alicesBrowser.page()
  const b = await bobsBrowser.page()
  await watchPlayout(b)
  await watchMediaArrivals(b)
  await watchRingtone(b)
  let mediaAtBob = 0
  let videoAtBob = 0
  const audioSeqs: number[] = []
  const emittedAt = new Map<string, number>()
  bob.host.on('event', (e) => {
    if (e.type !== 'media') return
    mediaAtBob++
    if (e.frame.stream === 'video') videoAtBob++
    else audioSeqs.push(e.frame.seq)
    emittedAt.set(`${e.frame.stream}:${e.frame.seq}`, Date.now())
  })
  // The other hop, page → core: when each sendMedia request leaves Alice's page and reaches her host.
  await watchMediaSends(a)
  const reachedCore = new Map<string, number>()
  const sendMedia = alice.host.sendMedia.bind(alice.host)
  alice.host.sendMedia = (call, frame) => {
    reachedCore.set(`${frame.stream}:${frame.seq}`, Date.now())
    return sendMedia(call, frame)
  }
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
  console.log('tone heard in', heard, 'of 20 windows', await b.evaluate(() => (window as unknown as { peaks: string[] }).peaks.join(' ')))
  // Most windows on an idle machine (19-20 of 20 measured); a shared, loaded machine starves the
  // pages and the jitter buffer runs dry in some. A broken path hears the tone in none.
  expect(heard).toBeGreaterThanOrEqual(10)
  await bobsCall.getByLabel('Call quality').waitFor({ timeout: 10_000 })
  const arrivals = await b.evaluate(() => [...(window as unknown as { mediaArrivals: Map<string, number> }).mediaArrivals])
  const hops = arrivals.flatMap(([key, at]) => (emittedAt.has(key) ? [at - emittedAt.get(key)!] : []))
  expect(hops.length).toBeGreaterThan(50)
  console.log(`web shell hop core → page (media events, ${hops.length}): p50 ${quantile(hops, 0.5).toFixed(1)} ms, p95 ${quantile(hops, 0.95).toFixed(1)} ms`)
  const sends = await a.evaluate(() => [...(window as unknown as { mediaSends: Map<string, number> }).mediaSends])
  const ups = sends.flatMap(([key, at]) => (reachedCore.has(key) ? [reachedCore.get(key)! - at] : []))
  expect(ups.length).toBeGreaterThan(50)
  console.log(`web shell hop page → core (sendMedia, ${ups.length}): p50 ${quantile(ups, 0.5).toFixed(1)} ms, p95 ${quantile(ups, 0.95).toFixed(1)} ms`)

  await alicesCall.getByRole('button', { name: 'Hang up' }).click()
  await bobsCall.waitFor({ state: 'detached' })
  await a.getByRole('region', { name: 'Bob' }).getByText(/^Outgoing call, \d+:\d\d ·/).waitFor()
  await b.getByRole('region', { name: 'Alice' }).getByText(/^Incoming call, \d+:\d\d ·/).waitFor()

  await callButton.click()
  await incoming.waitFor()
  // Bob's page rings while the call waits, and stops when it ends.
  await expect.poll(() => ringState(b), { timeout: 10_000 }).toBe('running')
  await a.getByRole('dialog', { name: 'Calling Bob' }).getByRole('button', { name: 'Cancel' }).click()
  await incoming.waitFor({ state: 'detached' })
  await expect.poll(() => ringState(b), { timeout: 10_000 }).toBe('closed')
  await b.getByRole('region', { name: 'Alice' }).getByText(/^Missed call ·/).waitFor()
  await a.getByRole('region', { name: 'Bob' }).getByText(/^Cancelled call ·/).waitFor()

  // Devices and the screen: Alice picks another microphone and speaker mid-call, then shares her
  // screen in this voice call; Bob's node keeps receiving her audio in one seq order, then video.
  await callButton.click()
  await incoming.getByRole('button', { name: 'Accept', exact: true }).click()
  await alicesCall.waitFor()
  const microphone = alicesCall.getByRole('combobox', { name: 'Microphone' })
  await microphone.waitFor({ timeout: 15_000 })
  const mics = await microphone.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))
  expect(mics.length).toBeGreaterThan(1)
  const before = mediaAtBob
  await expect.poll(() => mediaAtBob - before, { timeout: 15_000 }).toBeGreaterThan(25)
  const seqsBefore = audioSeqs.length
  const current = await microphone.inputValue()
  await microphone.selectOption(mics.find((id) => id !== current)!)
  const switched = mediaAtBob
  await expect.poll(() => mediaAtBob - switched, { timeout: 15_000 }).toBeGreaterThan(50)
  const after = audioSeqs.slice(seqsBefore)
  expect(after.every((seq, i) => i === 0 || seq > after[i - 1])).toBe(true)
  const speaker = alicesCall.getByRole('combobox', { name: 'Speaker' })
  const speakers = await speaker.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))
  await speaker.selectOption(speakers.at(-1)!)
  expect(await speaker.inputValue()).toBe(speakers.at(-1))
  expect(videoAtBob).toBe(0)
  await alicesCall.getByRole('button', { name: 'Share screen' }).click()
  await alicesCall.getByRole('button', { name: 'Stop sharing' }).waitFor({ timeout: 15_000 })
  // 15 frames a second on an idle machine (11 within 1.1-1.7 s measured, also at load 5); CI once
  // had 8 in 15 s with three test files and four Chromiums on its 2 cores, a 720p screen encoded
  // in software. A broken path delivers none.
  const shareStarted = Date.now()
  await expect.poll(() => videoAtBob, { timeout: 30_000, message: `screen frames at Bob's core` }).toBeGreaterThan(10)
  console.log(`screen share: ${videoAtBob} frames at Bob's core ${Date.now() - shareStarted} ms after sharing showed`)
  expect(await alicesCall.getByRole('alert').count()).toBe(0)
  await alicesCall.getByRole('button', { name: 'Hang up' }).click()
  await alicesCall.waitFor({ state: 'detached' })
}, 180_000)

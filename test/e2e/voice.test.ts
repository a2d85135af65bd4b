// Voice notes through the whole app: two web shells on a loopback testnet, Chromium with fake
// devices (Alice's microphone plays a tone from a WAV this test writes). Alice records one note by
// clicking (click to start, click to send) and one by holding the button; Bob's node fetches both by
// itself, his page draws their waveform from the decoded audio, shows their length and plays them
// in place.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { waitFor } from '../helpers/core'
import { Browser, startShellPair, type ShellNode, type ShellPair } from '../helpers/e2e'
import { toneWav } from '../media/browser/wav'

const PASS = 'correct horse battery staple'
const FAKE_MEDIA = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required']

let pair: ShellPair
let alice: ShellNode
let bob: ShellNode
let aliceId: string
let alicesBrowser: Browser
let bobsBrowser: Browser
let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-voice-e2e-'))
  const wav = join(dir, 'tone.wav')
  await writeFile(wav, toneWav(440, 4))
  pair = await startShellPair()
  ;[alice, bob] = pair.nodes
  aliceId = (await alice.host.create('Alice', PASS)).id
  const bobId = (await bob.host.create('Bob', PASS)).id
  await alice.host.addContact(bobId, 'Bob')
  await bob.host.addContact(aliceId, 'Alice')
  await waitFor('both online', async () => {
    const [a] = await alice.host.contacts()
    const [b] = await bob.host.contacts()
    return a?.presence !== 'offline' && b?.presence !== 'offline'
  })
  alicesBrowser = await Browser.launch([...FAKE_MEDIA, `--use-file-for-fake-audio-capture=${wav}`])
  bobsBrowser = await Browser.launch(FAKE_MEDIA)
}, 180_000)

afterAll(async () => {
  await alicesBrowser?.close()
  await bobsBrowser?.close()
  await pair?.destroy()
  await rm(dir, { recursive: true, force: true })
})

/** Waits until the recording has run at least `seconds` by the page's own clock. */
async function recordedFor(page: Page, seconds: number): Promise<void> {
  await page.waitForFunction(
    (s) => {
      const t = document.querySelector('[role=timer]')?.textContent?.match(/(\d+):(\d\d)/)
      return !!t && Number(t[1]) * 60 + Number(t[2]) >= s
    },
    seconds,
    { timeout: 30_000 }
  )
}

it('a voice note recorded by click and one by holding reach Bob, download by themselves, show a waveform and a length, and play in place', async () => {
  const a = await alicesBrowser.page()
  const b = await bobsBrowser.page()
  await a.goto(alice.url)
  await b.goto(bob.url)
  await a.getByRole('region', { name: 'Contacts' }).getByRole('button', { name: /^Bob\b/ }).click()
  await b.getByRole('region', { name: 'Contacts' }).getByRole('button', { name: /^Alice\b/ }).click()

  // click to start, click to send
  await a.getByRole('button', { name: 'Record voice note' }).click()
  await recordedFor(a, 2)
  await a.getByRole('button', { name: 'Send voice note' }).click()
  await a.getByRole('button', { name: 'Record voice note' }).waitFor()

  // hold to talk, release to send
  await a.getByRole('button', { name: 'Record voice note' }).hover()
  await a.mouse.down()
  await recordedFor(a, 2)
  await a.mouse.up()

  await waitFor(
    'both notes are on Bob\'s node, fetched by themselves',
    async () => {
      const notes = (await bob.host.history(aliceId)).messages.filter((m) => m.file?.mediaType === 'audio/vnd.cairn.voice+webm')
      return notes.length === 2 && notes.every((m) => m.file!.state === 'ready')
    },
    60_000
  )
  const notes = b.getByRole('group', { name: 'Voice note' })
  await b.waitForFunction(() => document.querySelectorAll('[role=group][aria-label="Voice note"]').length === 2, null, { timeout: 30_000 })

  // each waveform comes from the decoded tone: its loudest bar full, not the flat placeholder
  await b.waitForFunction(
    () => {
      const waves = [...document.querySelectorAll('[data-testid=waveform]')]
      return (
        waves.length === 2 &&
        waves.every((w) => !w.classList.contains('loading') && [...w.querySelectorAll<HTMLElement>('.bar')].some((bar) => parseFloat(bar.style.height) >= 90))
      )
    },
    null,
    { timeout: 30_000 }
  )
  const durations = await notes.getByLabel('Duration').allTextContents()
  const seconds = durations.map((d) => Number(d.split(':')[0]) * 60 + Number(d.split(':')[1]))
  // the recorder starts a little after the clock the button shows, so a 2 s note may decode as 1.x s
  expect(seconds, `durations ${durations.join(', ')}`).toEqual([expect.any(Number), expect.any(Number)])
  for (const s of seconds) expect(s).toBeGreaterThanOrEqual(1)
  await b.screenshot({ path: join(import.meta.dirname, '..', '..', 'test-artifacts', 'screenshots', '22-voice-notes.png') })

  await notes.first().getByRole('button', { name: 'Play voice note' }).click()
  await notes.first().getByRole('button', { name: 'Pause voice note' }).waitFor()
  await b.waitForFunction(() => {
    const audio = document.querySelector('[role=group][aria-label="Voice note"] audio') as HTMLAudioElement | null
    return !!audio && audio.currentTime > 0.3
  })
  // Alice sees her own notes as notes too
  await a.waitForFunction(() => document.querySelectorAll('[role=group][aria-label="Voice note"]').length === 2, null, { timeout: 30_000 })
}, 240_000)

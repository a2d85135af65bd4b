// The renderer's call media in real Chromium with fake devices, end to end through the core's media
// path: Alice's page captures a known tone (a WAV this test writes) and the fake camera, encodes Opus
// and VP8 with WebCodecs; every frame is cut into datagrams, sealed under the call key and sent on a
// real secret-stream between two Cairn Networks on a loopback testnet; Bob's side opens and
// reassembles them, and Bob's page decodes, buffers, plays through the AudioWorklet and meters the
// played audio by FFT. Video frames must decode at the size the camera captured.
import { createServer, type Server } from 'node:http'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'esbuild'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium'
import { fragment, Reassembler } from '../../core/media/fragments'
import type { MediaPacket } from '../../core/media/media-packet'
import { Harness, until } from '../net/helpers'
import { callPair, ring } from './call-pair'
import { toneWav } from './browser/wav'

const TONE_HZ = 880
let dir: string
let server: Server
let browser: Browser
let h: Harness
let origin: string

async function bundle(entry: string): Promise<string> {
  const out = await build({ entryPoints: [entry], bundle: true, format: 'esm', write: false, target: 'es2022', logLevel: 'silent' })
  return out.outputFiles[0].text
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-call-media-'))
  const wav = join(dir, 'tone.wav')
  await writeFile(wav, toneWav(TONE_HZ, 4))
  const files: Record<string, [string, string]> = {
    '/': ['text/html', '<!doctype html><meta charset="utf-8"><title>call media</title><script type="module" src="/page.js"></script>'],
    '/page.js': ['text/javascript', await bundle(join(import.meta.dirname, 'browser/page.ts'))],
    '/worklet.js': ['text/javascript', await bundle(join(import.meta.dirname, '../../renderer/src/lib/call/playout-worklet.ts'))]
  }
  server = createServer((req, res) => {
    const file = files[req.url ?? '']
    if (!file) return void res.writeHead(404).end()
    res.writeHead(200, { 'content-type': file[0] }).end(file[1])
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  origin = `http://127.0.0.1:${address.port}`
  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      ...CHROMIUM_ARGS,
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-audio-capture=${wav}`,
      '--autoplay-policy=no-user-gesture-required'
    ]
  })
  h = new Harness()
  await h.start()
})

afterAll(async () => {
  await browser?.close()
  await h?.stop()
  server?.close()
  await rm(dir, { recursive: true, force: true })
})

async function open(): Promise<Page> {
  const page = await browser.newPage()
  page.on('pageerror', (err) => console.error('page error:', err.message))
  await page.goto(origin)
  await page.waitForFunction(() => 'media' in window)
  return page
}

it('a tone captured on Alice\'s page is heard on Bob\'s, and her camera\'s frames decode there', async () => {
  const { alice, bob } = await callPair(h)
  const { a, b } = await ring(alice, bob)
  b.leg.accept(true)
  await until(() => a.media !== null && b.media !== null, 'call active on both sides')
  const aliceMedia = a.media!
  const bobMedia = b.media!

  const bobPage = await open()
  const alicePage = await open()
  const reassembler = new Reassembler()
  let pending: unknown[] = []
  let framesSent = 0
  bobMedia.on('packet', (p: MediaPacket) => {
    if (p.kind === 'keyframe') return
    if (p.kind !== 'media') return
    const frame = reassembler.add(p)
    if (frame) pending.push({ ...frame, data: Buffer.from(frame.data).toString('base64') })
  })
  aliceMedia.on('packet', (p: MediaPacket) => {
    if (p.kind === 'keyframe') void alicePage.evaluate(() => window.media.requestKeyframe())
  })
  const pump = setInterval(() => {
    if (pending.length === 0) return
    const batch = pending
    pending = []
    void bobPage.evaluate((frames) => window.media.deliver(frames as never), batch).catch(() => {})
  }, 10)
  await bobPage.exposeFunction('requestKeyframe', () => bobMedia.send({ kind: 'keyframe', stream: 'video' }))
  await alicePage.exposeFunction('sendFrame', (f: { stream: 'audio' | 'video'; keyframe: boolean; seq: number; timestampUs: number; data: string }) => {
    framesSent++
    for (const part of fragment({ ...f, data: Buffer.from(f.data, 'base64') })) aliceMedia.send(part)
  })
  try {
    await bobPage.evaluate(() => window.media.receive())
    const settings = await alicePage.evaluate(() => window.media.send(true))
    expect(settings.audio).toMatchObject({ echoCancellation: true, noiseSuppression: true, autoGainControl: true })

    await until(() => framesSent > 50, 'Alice encodes frames')
    const windows: { hz: number; aboveMedianDb: number }[] = []
    for (let i = 0; i < 20; i++) {
      await bobPage.waitForTimeout(100)
      windows.push(await bobPage.evaluate(() => window.media.peak()))
    }
    const binHz = 48_000 / 8192
    const heard = windows.filter((w) => Math.abs(w.hz - TONE_HZ) <= 2 * binHz && w.aboveMedianDb > 30)
    console.log('tone windows heard', heard.length, 'of', windows.length, windows.slice(0, 4))
    expect(heard.length).toBeGreaterThanOrEqual(16)

    const stats = await bobPage.evaluate(() => window.media.stats())
    console.log('bob stats', JSON.stringify(stats))
    expect(stats.videoDecoded).toBeGreaterThan(10)
    expect(stats.videoSize).toEqual({ width: settings.video?.width, height: settings.video?.height })
    expect(stats.audio?.played).toBeGreaterThan(50)
  } finally {
    clearInterval(pump)
    await alicePage.close()
    await bobPage.close()
  }
})

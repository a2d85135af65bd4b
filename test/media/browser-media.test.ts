// The renderer's call media in real Chromium with fake devices, end to end through the core's media
// path: Alice's page captures a known tone (a WAV this test writes) and the fake camera, encodes Opus
// and VP8 with WebCodecs; every frame is cut into datagrams, sealed under the call key and sent on a
// real secret-stream between two Cairn Networks on a loopback testnet; Bob's side opens and
// reassembles them, and Bob's page decodes, buffers, plays through the AudioWorklet and meters the
// played audio by FFT. Video frames must decode at the size the camera captured, and at its new size
// once the camera's size changes mid-call. Each page talks to
// "its core" over a WebSocket, as the web shell's pages do; the hop's latency is printed.
import { createServer, type Server } from 'node:http'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'esbuild'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium'
import { WebSocketServer, type WebSocket } from 'ws'
import { CallStream } from '../../core/media/call-stream'
import type { MediaFrame } from '../../core/media/fragments'
import { Harness, until } from '../helpers/net'
import { callPair, ring } from './call-pair'
import { toneWav } from './browser/wav'
import { decodeTestFrame, encodeTestFrame, KEYFRAME_REQUEST } from './browser/frame-wire'

const TONE_HZ = 880
let dir: string
let server: Server
let browser: Browser
let h: Harness
let origin: string
let sockets: WebSocketServer
const pageSockets = new Map<string, WebSocket>()

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
    const file = files[new URL(req.url ?? '', 'http://x').pathname]
    if (!file) return void res.writeHead(404).end()
    res.writeHead(200, { 'content-type': file[0] }).end(file[1])
  })
  sockets = new WebSocketServer({ server, path: '/media' })
  sockets.on('connection', (ws, req) => pageSockets.set(new URL(req.url ?? '', 'http://x').search.slice(1), ws))
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
  sockets?.close()
  server?.close()
  await rm(dir, { recursive: true, force: true })
})

async function open(role: string): Promise<{ page: Page; socket: WebSocket }> {
  const page = await browser.newPage()
  page.on('pageerror', (err) => console.error('page error:', err.message))
  await page.goto(`${origin}/?${role}`)
  await page.waitForFunction(() => 'media' in window)
  await until(() => pageSockets.has(role), `${role}'s page socket`)
  return { page, socket: pageSockets.get(role)! }
}

const quantile = (values: number[], p: number): number => [...values].sort((x, y) => x - y)[Math.floor(p * (values.length - 1))]

it('a tone captured on Alice\'s page is heard on Bob\'s, and her camera\'s frames decode there', async () => {
  const { alice, bob } = await callPair(h)
  const { a, b } = await ring(alice, bob)
  b.leg.accept(true)
  await until(() => a.media !== null && b.media !== null, 'call active on both sides')
  const aliceStream = new CallStream(a.media!)
  const bobStream = new CallStream(b.media!)

  const { page: bobPage, socket: bobSocket } = await open('bob')
  const { page: alicePage, socket: aliceSocket } = await open('alice')
  let framesSent = 0
  const hopToCore: number[] = []
  const sentBytes = { audio: 0, video: 0 }
  let firstAt = 0
  aliceSocket.on('message', (bytes: Buffer) => {
    const frame = decodeTestFrame(bytes)
    sentBytes[frame.stream] += frame.data.byteLength
    firstAt ||= Date.now()
    hopToCore.push(Date.now() - frame.sentAtMs)
    framesSent++
    aliceStream.sendFrame(frame)
  })
  aliceStream.on('keyframe', () => aliceSocket.send(Buffer.from([KEYFRAME_REQUEST])))
  bobSocket.on('message', (bytes: Buffer) => {
    if (bytes.byteLength === 1 && bytes[0] === KEYFRAME_REQUEST) bobStream.requestKeyframe('video')
  })
  bobStream.on('frame', (frame: MediaFrame) => bobSocket.send(encodeTestFrame(frame, Date.now())))
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
    // 19-20 of 20 on an idle machine; a loaded shared machine starves the pages and some windows
    // fall in concealment. A broken path hears the tone in none.
    expect(heard.length).toBeGreaterThanOrEqual(15)

    const stats = await bobPage.evaluate(() => window.media.stats())
    console.log('bob stats', JSON.stringify(stats))
    const secs = (Date.now() - firstAt) / 1000
    const kbps = (n: number) => ((n * 8) / secs / 1000).toFixed(0)
    console.log(`encoded bitrate over ${secs.toFixed(1)} s: audio ${kbps(sentBytes.audio)} kbit/s, video (640×360, 1 Mbit/s target) ${kbps(sentBytes.video)} kbit/s; ${(((sentBytes.audio + sentBytes.video) / secs) * 60 / 1e6).toFixed(1)} MB per minute before datagram overhead`)
    console.log(`page→core hop p50 ${quantile(hopToCore, 0.5).toFixed(2)} ms, p95 ${quantile(hopToCore, 0.95).toFixed(2)} ms; core→page hop p50 ${stats.hopMs.p50.toFixed(2)} ms, p95 ${stats.hopMs.p95.toFixed(2)} ms`)
    expect(stats.videoDecoded).toBeGreaterThan(10)
    expect(stats.videoSize).toEqual({ width: settings.video?.width, height: settings.video?.height })
    expect(stats.audio?.played).toBeGreaterThan(50)

    // The camera's size changes mid-call (the sender's size steps do this): the encoder follows it,
    // and Bob's page goes on decoding, at the new size.
    const smaller = await alicePage.evaluate(() => window.media.resize(320, 180))
    expect(smaller).toMatchObject({ width: 320, height: 180 })
    const before = stats.videoDecoded
    await expect
      .poll(async () => (await bobPage.evaluate(() => window.media.stats())).videoSize, { timeout: 15_000 })
      .toEqual({ width: 320, height: 180 })
    await expect.poll(async () => (await bobPage.evaluate(() => window.media.stats())).videoDecoded, { timeout: 15_000 }).toBeGreaterThan(before + 30)
  } finally {
    aliceStream.close()
    bobStream.close()
    await alicePage.close()
    await bobPage.close()
  }
})

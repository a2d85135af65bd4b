// Time from an image message's arrival to its preview on screen (target: 300 ms), through the web
// shell and real Chromium: Alice's node sends Bob's node photos over a loopback testnet; Bob's page
// has the conversation open. Arrival is the moment Bob's node has the message (its 'message' event:
// decrypted, descriptor and preview checked); on screen is the first animation frame after the
// preview <img> loaded in the page (and, beside it, the whole picture once the node fetched it by
// itself and the page read it in). Both clocks are this machine's wall clock (performance.timeOrigin
// + now). Reference in the same run: a text message's arrival to its text on screen, the same path
// without an image.
//
//   npx tsx bench/image-preview.bench.ts [--runs N]     (default 10 photos and 10 texts)
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import type { CairnEvent } from '../core/api/types'
import { CairnHost } from '../core/host/host'
import { createLocalTestnet } from '../core/net/testnet'
import { ensureRendererBuilt } from '../scripts/build-renderer'
import { startWebShell } from '../shell/web-server'
import { Browser } from '../test/helpers/e2e'

const flag = process.argv.indexOf('--runs')
const RUNS = flag > 0 ? Number(process.argv[flag + 1]) : 10
const PASS = 'benchmark passphrase'
const TARGET_MS = 300
const wall = () => performance.timeOrigin + performance.now()

// Page-side, as source text (no bundler helpers there): the wall-clock time each preview image and
// each reference text was first painted, by name.
const WATCH = `(() => {
  const shown = (window.__shown = {})
  const paint = (key) => {
    if (shown[key] !== undefined) return
    shown[key] = -1
    requestAnimationFrame(() => (shown[key] = performance.timeOrigin + performance.now()))
  }
  document.addEventListener('load', (e) => {
    const img = e.target
    if (!(img instanceof HTMLImageElement)) return
    paint(img.alt.startsWith('Preview of ') ? img.alt.slice(11) : 'full:' + img.alt)
  }, true)
  new MutationObserver(() => {
    for (const m of document.body.innerText.matchAll(/text-ref-(\\d+)/g)) paint(m[0])
  }).observe(document, { subtree: true, childList: true, characterData: true })
})()`

async function until<T>(label: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > end) throw new Error(`timed out: ${label}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.9))]

await ensureRendererBuilt()
const testnet = await createLocalTestnet(3)
const work = await mkdtemp(join(tmpdir(), 'cairn-preview-bench-'))
const alice = new CairnHost({ profileDir: join(work, 'alice'), bootstrap: testnet.bootstrap, lanDiscovery: false })
const bob = new CairnHost({ profileDir: join(work, 'bob'), bootstrap: testnet.bootstrap, lanDiscovery: false })
const browser = await Browser.launch()
const shell = await startWebShell({ host: bob })
try {
  const aliceId = (await alice.create('Alice', PASS)).id
  const bobId = (await bob.create('Bob', PASS)).id
  await alice.addContact(bobId, 'Bob')
  await bob.addContact(aliceId, 'Alice')
  await until('both online', async () => ((await alice.contacts())[0]?.presence !== 'offline' && (await bob.contacts())[0]?.presence !== 'offline') || undefined)
  const arrived = new Map<string, number>()
  bob.on('event', (e: CairnEvent) => {
    if (e.type !== 'message' || e.message.direction !== 'in') return
    const key = e.message.file ? e.message.file.name : e.message.text
    if (!arrived.has(key)) arrived.set(key, wall())
  })

  const page = await browser.page()
  await page.addInitScript(WATCH)
  await page.goto(shell.url)
  await page.getByRole('region', { name: 'Contacts' }).getByRole('button', { name: /^Alice\b/ }).click()
  const shownAt = (key: string) => page.evaluate((k) => (window as unknown as { __shown: Record<string, number> }).__shown[k], key)

  const photos = join(work, 'photos')
  await mkdir(photos)
  const image: number[] = []
  const full: number[] = []
  const text: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const name = `photo-${i}.jpg`
    const path = join(photos, name)
    await sharp({ create: { width: 1600, height: 1200, channels: 3, background: { r: 40 + i * 20, g: 120, b: 200 - i * 10 } } }).jpeg().toFile(path)
    await alice.sendFile(bobId, path)
    const painted = await until(`preview of ${name}`, async () => ((await shownAt(name)) > 0 ? shownAt(name) : undefined))
    image.push(painted - arrived.get(name)!)
    const whole = await until(`${name} in full`, async () => ((await shownAt(`full:${name}`)) > 0 ? shownAt(`full:${name}`) : undefined))
    full.push(whole - arrived.get(name)!)

    const ref = `text-ref-${i}`
    await alice.send(bobId, ref)
    const textPainted = await until(`text ${ref}`, async () => ((await shownAt(ref)) > 0 ? shownAt(ref) : undefined))
    text.push(textPainted - arrived.get(ref)!)
  }
  const f = (x: number) => `${x.toFixed(0).padStart(5)} ms`
  console.log(`arrival at Bob's node → painted in Bob's page (web shell, Chromium), ${RUNS} each:`)
  console.log(`  image message, its preview   median ${f(median(image))}  p90 ${f(p90(image))}   (target < ${TARGET_MS} ms)`)
  console.log(`  the whole picture after it   median ${f(median(full))}  p90 ${f(p90(full))}   (fetched by itself, read through the API)`)
  console.log(`  text message (reference)     median ${f(median(text))}  p90 ${f(p90(text))}`)
  await mkdir(join(import.meta.dirname, '..', 'bench-results'), { recursive: true })
  await writeFile(
    join(import.meta.dirname, '..', 'bench-results', 'image-preview.json'),
    JSON.stringify({ runs: RUNS, imageMs: image, fullMs: full, textMs: text, medianImageMs: median(image), medianTextMs: median(text), targetMs: TARGET_MS }, null, 2) + '\n'
  )
} finally {
  await browser.close()
  await shell.close()
  await alice.close()
  await bob.close()
  await testnet.destroy()
  await rm(work, { recursive: true, force: true })
}

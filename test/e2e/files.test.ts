// Alice sends Bob a photo and a larger file through the app: attach button, upload through the web
// shell's API, the preview and the whole photo on Bob's side, a download with progress, and Save.
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { waitFor } from '../helpers/core'
import { patternBytes } from '../helpers/blobs'
import { Browser, startShellPair, type ShellNode, type ShellPair } from '../helpers/e2e'

const PASS = 'correct horse battery staple'
const SHOTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'screenshots')

let pair: ShellPair
let alice: ShellNode
let bob: ShellNode
let alicesBrowser: Browser
let bobsBrowser: Browser

beforeAll(async () => {
  await mkdir(SHOTS, { recursive: true })
  pair = await startShellPair()
  ;[alice, bob] = pair.nodes
  const aliceId = (await alice.host.create('Alice', PASS)).id
  const bobId = (await bob.host.create('Bob', PASS)).id
  await alice.host.addContact(bobId, 'Bob')
  await bob.host.addContact(aliceId, 'Alice')
  await waitFor('both online', async () => {
    const [a] = await alice.host.contacts()
    const [b] = await bob.host.contacts()
    return a?.presence !== 'offline' && b?.presence !== 'offline'
  })
  alicesBrowser = await Browser.launch()
  bobsBrowser = await Browser.launch()
}, 180_000)

afterAll(async () => {
  await alicesBrowser?.close()
  await bobsBrowser?.close()
  await pair?.destroy()
})

it('a photo shows on the other side with its preview then in full; a larger file downloads with progress and saves', async () => {
  const dir = join(alice.dir, 'outbox')
  await mkdir(dir)
  const photo = join(dir, 'sunset.jpg')
  await sharp({ create: { width: 900, height: 600, channels: 3, background: '#e07030' } })
    .withExif({ IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 2959/100' } })
    .jpeg()
    .toFile(photo)
  const big = join(dir, 'dataset.bin')
  const bigBytes = patternBytes(12 * 1024 * 1024, 5)
  await writeFile(big, bigBytes)

  const a = await alicesBrowser.page()
  const b = await bobsBrowser.page()
  await a.goto(alice.url)
  await b.goto(bob.url)
  await a.getByRole('region', { name: 'Contacts' }).getByRole('button', { name: /^Bob\b/ }).click()
  await b.getByRole('region', { name: 'Contacts' }).getByRole('button', { name: /^Alice\b/ }).click()

  const chooser = a.waitForEvent('filechooser')
  await a.getByRole('button', { name: 'Attach files' }).click()
  await (await chooser).setFiles([photo, big])

  // Bob: the photo downloads by itself and shows whole; the large file waits to be asked for
  await b.getByRole('img', { name: 'sunset.jpg' }).waitFor({ timeout: 60_000 })
  // the full picture replaces the 320-pixel preview once its bytes have loaded
  await b.waitForFunction(() => [...document.images].some((img) => img.alt === 'sunset.jpg' && img.complete && img.naturalWidth === 900), null, {
    timeout: 30_000
  })
  await b.screenshot({ path: join(SHOTS, '20-photo-received.png') })

  await b.getByRole('button', { name: 'Download dataset.bin' }).click()
  await b.getByRole('button', { name: 'Save dataset.bin' }).waitFor({ timeout: 90_000 })
  const progress = await b.evaluate(() => document.querySelectorAll('[role=status]').length)
  expect(progress).toBeGreaterThan(0)

  const download = b.waitForEvent('download')
  await b.getByRole('button', { name: 'Save dataset.bin' }).click()
  const saved = await download
  expect(saved.suggestedFilename()).toBe('dataset.bin')
  const path = join(bob.dir, 'saved.bin')
  await saved.saveAs(path)
  expect((await readFile(path)).equals(bigBytes)).toBe(true)
  await b.screenshot({ path: join(SHOTS, '21-file-saved.png') })
}, 240_000)

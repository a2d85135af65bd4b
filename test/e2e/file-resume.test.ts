// A download in the app that outlives a restart of the receiving node: Bob's page shows the
// progress of a 50 MB file, his node is stopped half-way and started again on the same profile, the
// same page reconnects, unlocks and asks for the file again, and only what had not arrived travels:
// no chunk Bob had stored is sent twice. The file saves byte for byte, and the sender's page shows
// the file as sent throughout.
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { chunksHeld, ownBlobCore, patternBytes } from '../helpers/blobs'
import { befriend, openPages, startShellPair, until, type Browser, type ShellPair } from '../helpers/e2e'
import type { Page } from 'playwright-core'

const PASS = 'correct horse battery staple'
const CHUNK = 64 * 1024
const CHUNKS = 800

let pair: ShellPair
let browsers: Browser[] = []
let pages: [Page, Page]
let ids: { aliceId: string; bobId: string }

beforeAll(async () => {
  pair = await startShellPair()
  ids = await befriend(pair, PASS)
  ;({ browsers, pages } = await openPages(pair))
}, 180_000)

afterAll(async () => {
  for (const b of browsers) await b.close()
  await pair?.destroy()
})

it('a 50 MB download cut by a restart of the receiving node resumes from where it stopped', async () => {
  const [alice, bob] = pair.nodes
  const [a, b] = pages
  const film = join(alice.dir, 'film.bin')
  const bytes = patternBytes(CHUNKS * CHUNK - 9, 11)
  await writeFile(film, bytes)
  await alice.host.sendFile(ids.bobId, film)

  await a.getByRole('region', { name: 'Contacts' }).getByRole('button', { name: /^Bob\b/ }).click()
  await a.getByRole('button', { name: 'Save film.bin' }).waitFor()
  await b.getByRole('region', { name: 'Contacts' }).getByRole('button', { name: /^Alice\b/ }).click()

  const runs: number[][] = [[], []]
  let run = 0
  ownBlobCore(alice.host, ids.bobId).on('upload', (index: number) => runs[run].push(index))
  await b.getByRole('button', { name: 'Download film.bin' }).click()
  await b.getByRole('progressbar', { name: 'Downloading film.bin' }).waitFor()
  await until(async () => runs[0].length >= CHUNKS / 2, 'half the film to go out', 120_000)
  await bob.stop()
  run = 1
  const held = await chunksHeld(bob.dir, ownBlobCore(alice.host, ids.bobId).key!)
  expect(held.size, 'some but not all had arrived').toBeGreaterThan(CHUNKS / 4)
  expect(held.size).toBeLessThan(CHUNKS)

  await bob.open()
  await b.getByRole('heading', { name: 'Unlock' }).waitFor({ timeout: 60_000 })
  await b.getByLabel('Passphrase').fill(PASS)
  await b.getByRole('button', { name: 'Unlock' }).click()
  await b.getByRole('region', { name: 'Contacts' }).getByRole('button', { name: /^Alice\b/ }).click()
  await b.getByRole('button', { name: 'Download film.bin' }).click()
  await b.getByRole('button', { name: 'Save film.bin' }).waitFor({ timeout: 120_000 })

  // the web shell's Save reads the whole file through the API, 50 MB in pieces
  const download = b.waitForEvent('download', { timeout: 180_000 })
  await b.getByRole('button', { name: 'Save film.bin' }).click()
  const saved = await download
  const out = join(bob.dir, 'saved')
  await mkdir(out)
  await saved.saveAs(join(out, 'film.bin'))
  expect((await readFile(join(out, 'film.bin'))).equals(bytes)).toBe(true)

  const again = runs[1].filter((i) => held.has(i))
  console.log(`stopped after ${runs[0].length} of ${CHUNKS} chunks went out, ${held.size} stored; after the restart ${runs[1].length} went out, ${again.length} of them already stored`)
  expect(again.length, 'chunks Bob had stored that travelled again').toBeLessThanOrEqual(1)
  expect(new Set([...runs[0], ...runs[1]]).size).toBe(CHUNKS)
  await a.getByRole('button', { name: 'Save film.bin' }).waitFor()
}, 300_000)

// Frame times in the web shell's page while 200 messages arrive in one burst, against references
// measured in the same run:
//  - Alice's page (real Chromium) shows her conversation with Bob; Bob is a second node on the
//    loopback testnet that sends 200 messages at once. requestAnimationFrame deltas are recorded
//    from the first send until the last message is on screen: p50 / p95 / max beside 16.7 ms
//    (60 fps), and beside the same page idle for as long (what this machine gives an idle page);
//  - the contact list with 1,000 contacts: frame deltas while it is scrolled top to bottom, and
//    searching as typed in the sidebar box with those contacts and the burst in history.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { CairnHost } from '../core/host/host'
import { encodeContactId, generateIdentity } from '../core/identity'
import { createLocalTestnet } from '../core/net/testnet'
import { ensureRendererBuilt } from '../scripts/build-renderer'
import { Browser } from '../test/helpers/e2e'
import { startWebShell } from '../shell/web-server'

const BURST = 200
const CONTACTS = 1_000
const PASS = 'benchmark passphrase'
const DEADLINE_MS = 60_000

// Run in the page as source text: a bundler's helpers (e.g. esbuild's __name) do not exist there.
const START_FRAMES = `() => {
  const w = window
  w.__frames = []
  w.__recording = true
  let last = performance.now()
  const tick = (t) => {
    w.__frames.push(t - last)
    last = t
    if (w.__recording) requestAnimationFrame(tick)
  }
  requestAnimationFrame(tick)
}`
const STOP_FRAMES = `() => { window.__recording = false; return window.__frames.slice(1) }`
const SCROLL_LIST = `async (el) => {
  while (el.scrollTop + el.clientHeight < el.scrollHeight - 1) {
    el.scrollTop += el.clientHeight
    await new Promise((r) => requestAnimationFrame(r))
  }
}`

const now = () => performance.now()
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? 0
const row = (label: string, xs: number[]) =>
  `${label.padEnd(40)}${pct(xs, 0.5).toFixed(1).padStart(7)}${pct(xs, 0.95).toFixed(1).padStart(8)}${Math.max(0, ...xs).toFixed(1).padStart(8)}${String(xs.length).padStart(8)}`

async function record(page: Page, during: () => Promise<void>): Promise<number[]> {
  await page.evaluate(`(${START_FRAMES})()`)
  await during()
  return (await page.evaluate(`(${STOP_FRAMES})()`)) as number[]
}

async function main(): Promise<void> {
  await ensureRendererBuilt()
  const testnet = await createLocalTestnet(3)
  const work = await mkdtemp(join(tmpdir(), 'cairn-ui-burst-'))
  const browser = await Browser.launch()
  const alice = new CairnHost({ profileDir: join(work, 'alice'), bootstrap: testnet.bootstrap, lanDiscovery: false })
  const bob = new CairnHost({ profileDir: join(work, 'bob'), bootstrap: testnet.bootstrap, lanDiscovery: false })
  try {
    const aliceId = (await alice.create('Alice', PASS)).id
    const bobId = (await bob.create('Bob', PASS)).id
    await alice.addContact(bobId, 'Bob')
    await bob.addContact(aliceId, 'Alice')
    const deadline = Date.now() + DEADLINE_MS
    while ((await alice.contacts())[0].presence === 'offline') {
      if (Date.now() > deadline) throw new Error('Alice and Bob never connected')
      await new Promise((r) => setTimeout(r, 100))
    }
    await bob.send(aliceId, 'hello before the burst')
    const shell = await startWebShell({ host: alice })
    const page = await browser.page()
    await page.goto(shell.url)
    await page.getByRole('region', { name: 'Contacts' }).getByRole('button', { name: /^Bob\b/ }).click()
    const chat = page.getByRole('region', { name: 'Bob' })
    await chat.getByText('hello before the burst').waitFor()

    const t0 = now()
    const idle = await record(page, () => new Promise((r) => setTimeout(r, 2_000)))
    const idleMs = now() - t0

    let arrivedMs = 0
    const burst = await record(page, async () => {
      const t1 = now()
      await Promise.all(Array.from({ length: BURST }, (_, i) => bob.send(aliceId, `burst message ${i}`)))
      await chat.getByText(`burst message ${BURST - 1}`, { exact: true }).waitFor({ timeout: DEADLINE_MS })
      arrivedMs = now() - t1
    })

    // 1,000 contacts (offline: their IDs are fresh), then the list scrolled and searched
    const t2 = now()
    for (let i = 0; i < CONTACTS; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, j) => alice.addContact(encodeContactId(generateIdentity().publicKey), `Person ${i + j}`)))
    }
    const addMs = now() - t2
    await page.getByRole('region', { name: 'Contacts' }).getByRole('button', { name: /^Person 999\b/ }).waitFor({ timeout: DEADLINE_MS })
    const listEl = page.getByRole('region', { name: 'Contacts' }).locator('ul').first()
    await listEl.evaluate((el) => el.setAttribute('data-bench-list', ''))
    const t3 = now()
    const scroll = await record(page, () => page.evaluate(`(${SCROLL_LIST})(document.querySelector('[data-bench-list]'))`) as Promise<void>)
    const scrollMs = now() - t3
    const rows = await page.getByRole('region', { name: 'Contacts' }).getByRole('listitem').count()

    await page.keyboard.press('Control+K')
    const box = page.getByRole('searchbox', { name: 'Search contacts and messages' })
    let typedMs = 0
    const typing = await record(page, async () => {
      const t4 = now()
      await box.pressSequentially('burst message 19', { delay: 60 })
      await page.getByRole('region', { name: 'Messages found' }).getByRole('button').first().waitFor({ timeout: DEADLINE_MS })
      typedMs = now() - t4
    })
    await page.close()
    await shell.close()

    console.log(`UI frame times (web shell + Chromium), ms           p50     p95     max  frames`)
    console.log(row(`ref idle page, ${(idleMs / 1000).toFixed(1)} s`, idle))
    console.log(row(`${BURST} messages arriving in a burst`, burst))
    console.log(row(`scroll list of ${CONTACTS} contacts`, scroll))
    console.log(row(`typing a search, ${CONTACTS} contacts`, typing))
    console.log(`reference frame at 60 fps                  16.7`)
    console.log(`burst: first send to last message on screen ${arrivedMs.toFixed(0)} ms`)
    console.log(`${CONTACTS} contacts added through the core in ${(addMs / 1000).toFixed(1)} s; list scrolled top to bottom in ${scrollMs.toFixed(0)} ms; ${rows} rows in the DOM`)
    console.log(`search typed (16 keys, 60 ms apart) until the first hit shows: ${typedMs.toFixed(0)} ms`)
  } finally {
    await browser.close()
    await alice.close()
    await bob.close()
    await testnet.destroy()
    await rm(work, { recursive: true, force: true })
  }
}

await main()

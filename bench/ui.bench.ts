// UI benchmark through the web shell and real Chromium, against references measured in the same run:
//  - cold start (CairnHost + web shell + page until the Unlock screen, then until the contact list),
//    median of 5, against a bare static page served by node:http in the same browser;
//  - opening a 10,000-message conversation, against the core answering the same first page in Node
//    and against the browser building 10,000 plain rows without virtualisation;
//  - scrolling from the newest to the oldest message at three screens per frame (frame gaps show
//    smoothness; the total is mostly that chosen speed), against paging the whole history in Node.
// The conversation is seeded through the real core (sends to a contact that is offline).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { CairnHost } from '../core/host/host'
import { createLocalTestnet } from '../core/net/testnet'
import { ensureRendererBuilt } from '../scripts/build-renderer'
import { Browser } from '../test/helpers/e2e'
import { startWebShell } from '../shell/web-server'

const MESSAGES = 10_000
const RUNS = 5
const PASS = 'benchmark passphrase'
const SCROLL_DEADLINE_MS = 60_000

// Run in the page as source text: a bundler's helpers (e.g. esbuild's __name) do not exist there.
const SCROLL_TO_OLDEST = `async (el, deadlineMs) => {
  const gaps = []
  let last = performance.now()
  let done = false
  const tick = (t) => {
    gaps.push(t - last)
    last = t
    if (!done) requestAnimationFrame(tick)
  }
  requestAnimationFrame(tick)
  const start = performance.now()
  const seen = () => [...el.querySelectorAll('[role=listitem]')].some((n) => /message 0(?!\\d)/.test(n.textContent || ''))
  while (!seen() && performance.now() - start < deadlineMs) {
    el.scrollTop = Math.max(0, el.scrollTop - el.clientHeight * 3)
    await new Promise((r) => requestAnimationFrame(r))
  }
  done = true
  return { gaps, reached: seen() }
}`

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const ms = (x: number) => `${x.toFixed(0).padStart(7)} ms`
const now = () => performance.now()

async function coldStart(page: Page, profileDir: string, bootstrap: { host: string; port: number }[]) {
  const t0 = now()
  const host = new CairnHost({ profileDir, bootstrap, lanDiscovery: false })
  const shell = await startWebShell({ host })
  await page.goto(shell.url)
  await page.getByRole('heading', { name: 'Unlock' }).waitFor()
  const firstScreen = now() - t0
  const t1 = now()
  await page.getByLabel('Passphrase').fill(PASS)
  await page.getByRole('button', { name: 'Unlock' }).click()
  await page.getByRole('heading', { name: 'Contacts' }).waitFor()
  const unlocked = now() - t1
  return { firstScreen, unlocked, host, shell }
}

async function main(): Promise<void> {
  await ensureRendererBuilt()
  const testnet = await createLocalTestnet(3)
  const work = await mkdtemp(join(tmpdir(), 'cairn-ui-bench-'))
  const browser = await Browser.launch()
  const staticServer = createServer((_req, res) =>
    res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>ref</title><h1>Reference</h1><button>Go</button>')
  )
  try {
    // Seed: Alice has written 10,000 messages to Bob, who is offline.
    const aliceDir = join(work, 'alice')
    const bobDir = join(work, 'bob')
    const bob = new CairnHost({ profileDir: bobDir, bootstrap: testnet.bootstrap, lanDiscovery: false })
    const bobId = (await bob.create('Bob', PASS)).id
    await bob.close()
    const seeder = new CairnHost({ profileDir: aliceDir, bootstrap: testnet.bootstrap, lanDiscovery: false })
    await seeder.create('Alice', PASS)
    await seeder.addContact(bobId, 'Bob')
    const tSeed = now()
    for (let i = 0; i < MESSAGES; i += 100) {
      await Promise.all(Array.from({ length: Math.min(100, MESSAGES - i) }, (_, j) => seeder.send(bobId, `message ${i + j}`)))
    }
    const seedMs = now() - tSeed
    const tFirstPage = now()
    await seeder.history(bobId, { limit: 100 })
    const coreFirstPage = now() - tFirstPage
    const tAll = now()
    let before: string | null = null
    let paged = 0
    do {
      const page: Awaited<ReturnType<CairnHost['history']>> = await seeder.history(bobId, before ? { limit: 300, before } : { limit: 300 })
      paged += page.messages.length
      before = page.before
    } while (before)
    const coreAllPages = now() - tAll
    if (paged !== MESSAGES) throw new Error(`seeded ${paged} messages, expected ${MESSAGES}`)
    await seeder.close()

    // Reference: a bare page in the same browser.
    await new Promise<void>((resolve) => staticServer.listen(0, '127.0.0.1', resolve))
    const refUrl = `http://127.0.0.1:${(staticServer.address() as AddressInfo).port}/`
    const refTimes: number[] = []
    const firstScreens: number[] = []
    const unlocks: number[] = []
    for (let run = 0; run < RUNS; run++) {
      const ref = await browser.context.newPage()
      const r0 = now()
      await ref.goto(refUrl)
      await ref.getByRole('button', { name: 'Go' }).waitFor()
      refTimes.push(now() - r0)
      await ref.close()

      const page = await browser.context.newPage()
      const { firstScreen, unlocked, host, shell } = await coldStart(page, aliceDir, testnet.bootstrap)
      firstScreens.push(firstScreen)
      unlocks.push(unlocked)
      if (run < RUNS - 1) {
        await page.close()
        await shell.close()
        await host.close()
        continue
      }

      // Open the conversation: until the newest message is on screen.
      const t0 = now()
      await page.getByRole('button', { name: /^Bob\b/ }).click()
      await page.getByText(`message ${MESSAGES - 1}`, { exact: true }).waitFor()
      const openMs = now() - t0
      const rendered = await page.getByRole('listitem').count()

      // Scroll to the very first message, measuring frame gaps as the reader would see them.
      const list = page.getByRole('region', { name: 'Bob' }).getByRole('list')
      const t1 = now()
      await list.evaluate((el) => el.setAttribute('data-bench-scroller', ''))
      const frames = (await page.evaluate(
        `(${SCROLL_TO_OLDEST})(document.querySelector('[data-bench-scroller]'), ${SCROLL_DEADLINE_MS})`
      )) as { gaps: number[]; reached: boolean }
      const scrollMs = now() - t1
      if (!frames.reached) throw new Error('never reached the first message while scrolling')
      const gaps = frames.gaps.slice(1).sort((a, b) => a - b)
      const p95 = gaps[Math.floor(gaps.length * 0.95)] ?? 0
      const maxGap = gaps.at(-1) ?? 0

      // Reference: the browser building all 10,000 rows at once, without virtualisation.
      const naiveMs = await page.evaluate((n) => {
        const t = performance.now()
        const box = document.createElement('div')
        for (let i = 0; i < n; i++) {
          const row = document.createElement('div')
          row.className = 'msg out'
          row.textContent = `message ${i}`
          box.appendChild(row)
        }
        document.body.appendChild(box)
        void box.getBoundingClientRect().height
        const took = performance.now() - t
        box.remove()
        return took
      }, MESSAGES)

      await page.close()
      await shell.close()
      await host.close()

      const figures = {
        messages: MESSAGES,
        runs: RUNS,
        seedMs,
        coldStartFirstScreenMedianMs: median(firstScreens),
        coldStartUnlockMedianMs: median(unlocks),
        referenceStaticPageMedianMs: median(refTimes),
        openConversationMs: openMs,
        rowsInDomAfterOpen: rendered,
        referenceCoreFirstPageMs: coreFirstPage,
        referenceNaiveDom10kRowsMs: naiveMs,
        scrollToOldestMs: scrollMs,
        scrollFrames: gaps.length,
        scrollFrameP95Ms: p95,
        scrollFrameMaxMs: maxGap,
        referenceCoreAllPagesMs: coreAllPages,
        firstScreensMs: firstScreens,
        unlocksMs: unlocks,
        referenceStaticPageMs: refTimes
      }
      console.log(`UI bench (web shell + Chromium, ${MESSAGES} messages, median of ${RUNS})`)
      console.log(`seed through the core                 ${ms(seedMs)}  (${(MESSAGES / (seedMs / 1000)).toFixed(0)} sends/s)`)
      console.log(`cold start to Unlock screen           ${ms(figures.coldStartFirstScreenMedianMs)}   ref static page ${ms(figures.referenceStaticPageMedianMs)}   ratio ${(figures.coldStartFirstScreenMedianMs / figures.referenceStaticPageMedianMs).toFixed(1)}x`)
      console.log(`unlock to contact list (Argon2id)     ${ms(figures.coldStartUnlockMedianMs)}`)
      console.log(`open 10k conversation, newest shown   ${ms(openMs)}   ref core first page ${ms(coreFirstPage)}   ref naive 10k DOM rows ${ms(naiveMs)}`)
      console.log(`rows in the DOM after opening         ${String(rendered).padStart(7)}      (of ${MESSAGES})`)
      console.log(`scroll newest -> oldest               ${ms(scrollMs)}   ref core pages all ${ms(coreAllPages)}   ratio ${(scrollMs / coreAllPages).toFixed(1)}x`)
      console.log(`scroll frame gap p95 / max            ${ms(p95)} / ${ms(maxGap)}   (${gaps.length} frames; 16.7 ms = 60 fps)`)
      await mkdir(join(import.meta.dirname, '..', 'bench-results'), { recursive: true })
      await writeFile(join(import.meta.dirname, '..', 'bench-results', 'ui.json'), JSON.stringify(figures, null, 2))
    }
  } finally {
    await browser.close()
    await new Promise((resolve) => staticServer.close(resolve))
    await testnet.destroy()
    await rm(work, { recursive: true, force: true })
  }
}

await main()

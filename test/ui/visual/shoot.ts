// Visual check: builds the renderer against the fake API, serves it on 127.0.0.1 under the web
// shell's CSP, and screenshots each scene in light and dark. `npx tsx test/ui/visual/shoot.ts [outDir]`
import { createServer } from 'node:http'
import { readFile } from 'node:fs/promises'
import { extname, join, normalize } from 'node:path'
import { chromium } from 'playwright-core'
import { build } from 'vite'
import { contentSecurityPolicy } from '../../../shell/csp'

const dist = '/tmp/cairn-renderer-visual'
const out = process.argv[2] ?? 'test-artifacts/renderer'
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' }

await build({ configFile: new URL('./vite.config.ts', import.meta.url).pathname, logLevel: 'warn' })

const server = createServer(async (req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^\/+/, '')
  try {
    const body = await readFile(join(dist, path || 'index.html'))
    res.writeHead(200, { 'Content-Type': TYPES[extname(path || '.html')] ?? 'application/octet-stream', 'Content-Security-Policy': contentSecurityPolicy() })
    res.end(body)
  } catch {
    res.writeHead(404).end()
  }
})
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const port = (server.address() as { port: number }).port

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']
})
const problems: string[] = []
try {
  for (const scheme of ['light', 'dark'] as const) {
    const page = await browser.newPage({ viewport: { width: 1100, height: 720 }, colorScheme: scheme, acceptDownloads: true })
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${scheme}: ${m.text()}`)
    })
    page.on('pageerror', (e) => problems.push(`${scheme}: ${e.message}`))
    const shot = async (name: string) => page.screenshot({ path: join(out, `${name}-${scheme}.png`) })
    const go = async (scene: string) => {
      await page.goto(`http://127.0.0.1:${port}/index.html?messages=10000#${scene}`)
      await page.reload()
    }
    await go('onboarding')
    await page.getByRole('heading', { name: 'Create your identity' }).waitFor()
    await page.getByLabel('Display name').fill('Ada')
    await page.getByLabel('Passphrase', { exact: true }).fill('short')
    await page.getByRole('button', { name: 'Create identity' }).click()
    await shot('onboarding')
    await go('unlock')
    await page.getByLabel('Passphrase').fill('wrong one')
    await page.getByRole('button', { name: 'Unlock' }).click()
    await page.getByRole('alert').waitFor()
    await shot('unlock-wrong')
    await go('security')
    await page.getByRole('button', { name: /Grace Hopper/ }).click()
    await page.getByText('is typing').waitFor()
    await shot('conversation')
    const list = page.getByRole('list', { name: /Conversation with/ })
    // Scroll up 400 px per animation frame through the 10,000-message history and time the frames.
    // A string, so the bundler's helpers do not leak into the page.
    const frames: number[] = await page.evaluate(`new Promise((resolve) => {
      const el = document.querySelector('[role=list][aria-label^="Conversation with"]')
      const times = []
      let last = performance.now()
      const step = (now) => {
        times.push(now - last)
        last = now
        el.scrollTop -= 400
        if (times.length < 300) requestAnimationFrame(step)
        else resolve(times.slice(1))
      }
      requestAnimationFrame(step)
    })`)
    frames.sort((a, b) => a - b)
    const rendered = await list.getByRole('listitem').count()
    console.log(
      `${scheme}: 300 frames scrolling 400 px each: median ${frames[frames.length >> 1].toFixed(1)} ms, ` +
        `p95 ${frames[Math.floor(frames.length * 0.95)].toFixed(1)} ms, max ${frames.at(-1)!.toFixed(1)} ms; ${rendered} rows in the DOM`
    )
    await shot('conversation-scrolled')
    await page.getByRole('button', { name: /Alan Turing/ }).click()
    await page.getByText('2 new messages').waitFor()
    await shot('unread')
    await page.getByRole('button', { name: 'Add contact' }).click()
    await page.getByLabel('Contact ID').fill('ybndrfg8ejkmcpqxot1uwisza345h769ybndrfg8ejkmcpqxot1u0')
    await page.getByLabel('Name', { exact: true }).fill('Someone')
    await page.getByRole('button', { name: 'Add contact' }).click()
    await shot('add-contact-error')
    await page.getByRole('button', { name: 'My ID' }).click()
    await page.getByLabel('My contact ID').waitFor()
    await shot('my-id')
    await page.getByRole('button', { name: 'Settings' }).click()
    await shot('settings')
    await page.getByLabel('Profile passphrase').fill('correct horse battery')
    await page.getByLabel('Backup passphrase', { exact: true }).fill('backup secret words')
    await page.getByLabel('Confirm backup passphrase').fill('backup secret words')
    await page.getByRole('button', { name: 'Export identity' }).click()
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Save as file' }).click()])
    if (download.suggestedFilename() !== 'cairn-identity-backup.txt') problems.push(`${scheme}: download named ${download.suggestedFilename()}`)
    await page.setViewportSize({ width: 420, height: 720 })
    await page.getByRole('button', { name: 'Contacts', exact: true }).click()
    await shot('narrow-list')
    await page.getByRole('button', { name: /Grace Hopper/ }).click()
    await shot('narrow-conversation')
    await page.close()
  }
} finally {
  await browser.close()
  server.close()
}
console.log(problems.length ? `console problems:\n${problems.join('\n')}` : 'no console errors or CSP violations')

// The Electron path without the Electron binary: the renderer in Chromium, loaded through the app
// protocol handler (same files, same CSP as in Electron), with window.cairn shaped exactly as
// preload.ts exposes it and wired to the real IPC handlers over a real CairnHost. Only the
// contextBridge/ipcRenderer hop is stood in for, by Playwright's exposeFunction.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CairnHost } from '../../core/host/host'
import type { NotificationPrefs } from '../../core/api/notification'
import type { CairnEvent } from '../../core/api/types'
import { createLocalTestnet, type LocalTestnet } from '../../core/net/testnet'
import { serveAppRequest } from '../../electron/app-protocol'
import { APP_ORIGIN } from '../../electron/app-url'
import { FileActions } from '../../electron/file-actions'
import { createIpcHandlers } from '../../electron/ipc'
import { DEFAULT_RENDERER_DIR } from '../../shell/web-server'
import { realRendererDir } from '../../shell/static'
import { Browser, createIdentity } from '../helpers/e2e'

// Plays the part of http://cairn.test/ ↔ cairn://app/ so Chromium can load the app scheme's files.
const STAND_IN_ORIGIN = 'http://cairn.test'

// The preload's bridge, as page-side source (no bundler helpers in the page).
const PRELOAD_STAND_IN = `
  const listeners = new Set()
  window.__cairnEmit = (event) => { for (const cb of listeners) cb(event) }
  window.cairn = Object.freeze({
    request: (frame) => window.__cairnRequest(frame),
    onEvent: (cb) => { listeners.add(cb); return () => listeners.delete(cb) },
    viewing: (contact) => { void window.__cairnViewing(contact) },
    notificationPrefs: (prefs) => { void window.__cairnNotificationPrefs(prefs) },
    saveFile: (contact, message) => window.__cairnSaveFile(contact, message).then(unwrap),
    openFile: (contact, message) => window.__cairnOpenFile(contact, message).then(unwrap)
  })
  function unwrap(result) { if (result.ok) return result.value; throw new Error(result.error.message) }
`

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('renderer over the Electron bridge', () => {
  let testnet: LocalTestnet
  let dir: string
  let otherDir: string
  let host: CairnHost
  let browser: Browser
  let page: Page
  const viewing: (string | null)[] = []
  const told: NotificationPrefs[] = []
  const problems: string[] = []

  beforeAll(async () => {
    testnet = await createLocalTestnet(3)
    dir = await mkdtemp(join(tmpdir(), 'cairn-bridge-'))
    otherDir = await mkdtemp(join(tmpdir(), 'cairn-bridge-other-'))
    host = new CairnHost({ profileDir: dir, bootstrap: testnet.bootstrap, lanDiscovery: false })
    const files = new FileActions({
      host,
      profileDir: dir,
      downloadsDir: otherDir,
      openDir: join(otherDir, 'opened'),
      showSaveDialog: async () => null,
      openPath: async () => 'not in this test'
    })
    const handlers = createIpcHandlers({ host, onViewing: (c) => viewing.push(c), onNotificationPrefs: (p) => told.push(p), files })
    const root = await realRendererDir(DEFAULT_RENDERER_DIR)
    browser = await Browser.launch()
    page = await browser.page()
    const sender = () => ({ senderFrame: { url: page.url().replace(STAND_IN_ORIGIN, APP_ORIGIN) } })
    await page.route(`${STAND_IN_ORIGIN}/**`, async (route) => {
      const res = await serveAppRequest(root, route.request().url().replace(STAND_IN_ORIGIN, APP_ORIGIN))
      await route.fulfill({
        status: res.status,
        headers: Object.fromEntries(res.headers),
        body: Buffer.from(await res.arrayBuffer())
      })
    })
    await page.exposeFunction('__cairnRequest', (frame: unknown) => handlers.request(sender(), frame))
    await page.exposeFunction('__cairnViewing', (contact: unknown) => handlers.viewing(sender(), contact))
    await page.exposeFunction('__cairnNotificationPrefs', (prefs: unknown) => handlers.notificationPrefs(sender(), prefs))
    await page.exposeFunction('__cairnSaveFile', (contact: unknown, message: unknown) => handlers.saveFile(sender(), contact, message))
    await page.exposeFunction('__cairnOpenFile', (contact: unknown, message: unknown) => handlers.openFile(sender(), contact, message))
    await page.addInitScript(PRELOAD_STAND_IN)
    host.on('event', (event: CairnEvent) => {
      void page.evaluate((e) => (window as unknown as { __cairnEmit(e: unknown): void }).__cairnEmit(e), event).catch(() => {})
    })
    // COOP is ignored on the plain-http stand-in origin (cairn:// is registered secure in Electron).
    const standInNoise = ['Failed to load resource', 'The Cross-Origin-Opener-Policy header has been ignored']
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !standInNoise.some((n) => msg.text().startsWith(n))) problems.push(msg.text())
    })
    page.on('response', (res) => {
      if (res.status() >= 400 && new URL(res.url()).pathname !== '/favicon.ico') problems.push(`${res.status()} ${res.url()}`)
    })
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    await host?.close()
    await testnet?.destroy()
    await rm(dir, { recursive: true, force: true })
    await rm(otherDir, { recursive: true, force: true })
  })

  it('onboards, adds a contact and reports the open conversation, under the app CSP', async () => {
    await page.goto(`${STAND_IN_ORIGIN}/index.html`)
    await createIdentity(page, 'Erin', 'a long enough passphrase')
    expect((await host.profile()).name).toBe('Erin')

    const other = new CairnHost({ profileDir: otherDir, bootstrap: testnet.bootstrap, lanDiscovery: false })
    const otherId = (await other.create('Frank', 'another passphrase')).id
    await other.close()

    await page.getByRole('navigation', { name: 'Cairn' }).getByRole('button', { name: 'Add contact' }).click()
    const form = page.getByRole('region', { name: 'Add contact' })
    await form.getByRole('textbox', { name: 'Contact ID' }).fill(otherId)
    await form.getByRole('textbox', { name: 'Name', exact: true }).fill('Frank')
    await form.getByRole('button', { name: 'Add contact' }).click()
    await page.getByRole('heading', { name: 'Frank', level: 2 }).waitFor()
    expect((await host.contacts()).map((c) => c.name)).toEqual(['Frank'])
    const deadline = Date.now() + 10_000
    while (!viewing.includes(otherId) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    expect(viewing).toContain(otherId)

    await page.getByRole('textbox', { name: 'Message' }).fill('written while Frank is away')
    await page.getByRole('textbox', { name: 'Message' }).press('Enter')
    await page.getByRole('region', { name: 'Frank' }).getByText('written while Frank is away').waitFor()
    const [stored] = (await host.history(otherId)).messages
    expect(stored.text).toBe('written while Frank is away')

    // the main process, which shows the app's notifications, is told the user's choices as they change
    expect(told.at(-1)).toEqual({ notify: 'name-and-text', muted: [] })
    await page.getByRole('button', { name: 'Mute' }).click()
    await until(() => told.at(-1)?.muted.includes(otherId) === true)
    await page.getByRole('navigation', { name: 'Cairn' }).getByRole('button', { name: 'Settings' }).click()
    await page.getByLabel('Notifications show').selectOption('nothing')
    await until(() => told.at(-1)?.notify === 'nothing')
    expect(told.at(-1)).toEqual({ notify: 'nothing', muted: [otherId] })
    expect(problems).toEqual([])
  }, 120_000)
})

// What the browser tests and the UI benchmark share: Cairn nodes served by real web shells on a
// loopback testnet, and Chromium with a throwaway profile per browser.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import type { ContactId } from '../../core/api/types'
import { CairnHost, type HostOptions } from '../../core/host/host'
import { createLocalTestnet } from '../../core/net/testnet'
import type { BootstrapNode } from '../../core/profile/bootstrap'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium'
import { startProfileWebShell } from '../../shell/profile-port'
import type { WebShell } from '../../shell/web-server'

/** What a test may set of a node's host beyond its folder and network: a moved clock, a faster expiry check. */
export type ExtraHostOptions = Pick<HostOptions, 'clock' | 'expiryCheckMs'>

/**
 * A profile folder served by a CairnHost and a web shell; restartable on the same folder, where the
 * shell comes back at the same port and lets the open pages back in, as `npm start` does.
 */
export class ShellNode {
  host!: CairnHost
  shell!: WebShell

  private constructor(
    readonly dir: string,
    private readonly bootstrap: BootstrapNode[],
    private readonly extra: ExtraHostOptions
  ) {}

  static async start(bootstrap: BootstrapNode[], extra: ExtraHostOptions = {}): Promise<ShellNode> {
    const node = new ShellNode(await mkdtemp(join(tmpdir(), 'cairn-e2e-')), bootstrap, extra)
    await node.open()
    return node
  }

  /** A fresh URL each time: its code lets one page in, once. */
  get url(): string {
    return this.shell.newUrl()
  }

  async open(): Promise<void> {
    this.host = new CairnHost({ ...this.extra, profileDir: this.dir, bootstrap: this.bootstrap, lanDiscovery: false })
    this.shell = await startProfileWebShell(this.dir, { host: this.host })
  }

  /** Restarts only the web shell; the node behind it keeps running. */
  async restartShell(whileDown: () => Promise<void>): Promise<void> {
    await this.shell.close()
    await whileDown()
    this.shell = await startProfileWebShell(this.dir, { host: this.host })
  }

  async stop(): Promise<void> {
    await this.shell.close()
    await this.host.close()
  }

  async destroy(): Promise<void> {
    await this.stop().catch(() => undefined)
    await rm(this.dir, { recursive: true, force: true })
  }
}

/** Chromium with its own temporary user-data-dir, removed on close. */
export interface ShellPair {
  nodes: [ShellNode, ShellNode]
  destroy(): Promise<void>
}

/** The built renderer and two web-shell nodes on one fresh loopback testnet: the two-person tests' setup. */
export async function startShellPair(extra: ExtraHostOptions = {}): Promise<ShellPair> {
  const testnet = await createLocalTestnet(3)
  const nodes: [ShellNode, ShellNode] = [await ShellNode.start(testnet.bootstrap, extra), await ShellNode.start(testnet.bootstrap, extra)]
  return {
    nodes,
    async destroy() {
      for (const node of nodes) await node.destroy()
      await testnet.destroy()
    }
  }
}

/** Polls an asynchronous condition every 100 ms until it holds; fails naming `what` after `ms`. */
export async function until(cond: () => Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** Alice on the pair's first node and Bob on its second, each the other's contact, once they are connected. */
export async function befriend(pair: ShellPair, passphrase: string): Promise<{ aliceId: ContactId; bobId: ContactId }> {
  const [alice, bob] = pair.nodes
  const aliceId = (await alice.host.create('Alice', passphrase)).id
  const bobId = (await bob.host.create('Bob', passphrase)).id
  await alice.host.addContact(bobId, 'Bob')
  await bob.host.addContact(aliceId, 'Alice')
  await until(async () => (await alice.host.contacts()).find((c) => c.id === bobId)?.presence !== 'offline', 'Alice and Bob to connect')
  return { aliceId, bobId }
}

/** One Chromium per node of the pair, its page on that node's web shell, at the main screen. */
export async function openPages(pair: ShellPair): Promise<{ browsers: Browser[]; pages: [Page, Page] }> {
  const browsers = [await Browser.launch(), await Browser.launch()]
  const pages: [Page, Page] = [await browsers[0].page(), await browsers[1].page()]
  for (const [i, page] of pages.entries()) {
    await page.goto(pair.nodes[i].url)
    await page.getByRole('heading', { name: 'Contacts' }).waitFor()
  }
  return { browsers, pages }
}

export class Browser {
  private constructor(
    readonly context: BrowserContext,
    /** Its user-data-dir: on the command line of its browser process, so a bench can find it. */
    readonly dataDir: string
  ) {}

  /**
   * extraArgs: more Chromium flags (fake media devices for the call tests); executablePath: another
   * way to start it (a script that runs Chromium inside a test's network namespace).
   */
  static async launch(extraArgs: string[] = [], executablePath = CHROMIUM_PATH): Promise<Browser> {
    const dataDir = await mkdtemp(join(tmpdir(), 'cairn-chromium-'))
    const context = await chromium.launchPersistentContext(dataDir, {
      executablePath,
      args: [...CHROMIUM_ARGS, ...extraArgs],
      viewport: { width: 1100, height: 720 }
    })
    return new Browser(context, dataDir)
  }

  async page(): Promise<Page> {
    const page = this.context.pages()[0] ?? (await this.context.newPage())
    page.setDefaultTimeout(30_000)
    return page
  }

  async close(): Promise<void> {
    await this.context.close().catch(() => undefined)
    await rm(this.dataDir, { recursive: true, force: true })
  }
}

/** Fills in the first-run screen already loaded in `page` and waits for the main screen. */
export async function createIdentity(page: Page, name: string, passphrase: string): Promise<void> {
  await page.getByRole('heading', { name: 'Create your identity' }).waitFor()
  await page.getByLabel('Display name').fill(name)
  await page.getByLabel('Passphrase', { exact: true }).fill(passphrase)
  await page.getByLabel('Confirm passphrase').fill(passphrase)
  await page.getByRole('button', { name: 'Create identity' }).click()
  await page.getByRole('heading', { name: 'Contacts' }).waitFor()
}

export async function sendMessage(page: Page, text: string): Promise<void> {
  const box = page.getByRole('textbox', { name: 'Message' })
  await box.fill(text)
  await box.press('Enter')
}

// A page left open on `npm start`'s web shell outlives the shell process: the process is stopped and
// started again on the same profile, and the page, never given a new URL, reconnects by itself (the
// profile keeps the port and its pages' hashed credentials), unlocks and works. The URL it was opened
// with stays worthless throughout.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLocalTestnet, type LocalTestnet } from '../../core/net/testnet'
import { Browser, createIdentity } from '../helpers/e2e'

const root = join(import.meta.dirname, '..', '..')
const PASS = 'correct horse battery staple'

interface ShellProcess {
  proc: ChildProcess
  url: string
}

describe('a page open on a web shell process that restarts', () => {
  let testnet: LocalTestnet
  let work: string
  let browser: Browser
  const running = new Set<ChildProcess>()

  beforeAll(async () => {
    testnet = await createLocalTestnet(3)
    work = await mkdtemp(join(tmpdir(), 'cairn-shell-restart-'))
    browser = await Browser.launch()
  }, 180_000)

  afterAll(async () => {
    for (const proc of running) proc.kill('SIGKILL')
    await browser?.close()
    await testnet?.destroy()
    await rm(work, { recursive: true, force: true })
  })

  /** `npm start --web` as a user runs it, on the test's profile and loopback testnet. */
  function startShell(): Promise<ShellProcess> {
    const { host, port } = testnet.bootstrap[0]
    const proc = spawn(
      process.execPath,
      ['--import', 'tsx', 'scripts/start.ts', '--web', '--no-open', '--no-lan', '--bootstrap', `${host}:${port}`],
      { cwd: root, env: { ...process.env, CAIRN_PROFILE: join(work, 'profile') }, stdio: ['ignore', 'pipe', 'pipe'] }
    )
    running.add(proc)
    proc.on('exit', () => running.delete(proc))
    let out = ''
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed:\n${out}`)), 90_000)
      const onData = (d: Buffer) => {
        out += d.toString()
        const m = /cairn: open (http:\/\/\S+)\n/.exec(out)
        if (m) {
          clearTimeout(timer)
          resolve({ proc, url: m[1] })
        }
      }
      proc.stdout?.on('data', onData)
      proc.stderr?.on('data', (d: Buffer) => (out += d.toString()))
      proc.on('exit', () => reject(new Error(`exited early:\n${out}`)))
    })
  }

  async function stopShell(shell: ShellProcess): Promise<void> {
    const exited = new Promise<number | null>((resolve) => shell.proc.on('exit', (code) => resolve(code)))
    shell.proc.kill('SIGTERM')
    expect(await exited).toBe(0)
  }

  it('reconnects to the restarted process without a new URL, and works', async () => {
    const first = await startShell()
    const page = await browser.page()
    await page.goto(first.url)
    await createIdentity(page, 'Alice', PASS)
    const pageUrl = page.url()
    expect(new URL(pageUrl).hash).toBe('')

    await stopShell(first)
    await page.getByRole('alert').filter({ hasText: 'reconnecting' }).waitFor()
    const second = await startShell()
    expect(new URL(second.url).port).toBe(new URL(first.url).port)

    // the node came back locked: the same page asks to unlock, and then works
    // CI once timed out here (1 run in 7, not reproduced under load 16): say what the page showed.
    await page
      .getByRole('heading', { name: 'Unlock' })
      .waitFor({ timeout: 45_000 })
      .catch(async (err: unknown) => {
        throw new Error(`no Unlock screen 45 s after the restart; the page showed: ${await page.locator('body').innerText()}`, { cause: err })
      })
    expect(page.url()).toBe(pageUrl)
    await page.getByLabel('Passphrase').fill(PASS)
    await page.getByRole('button', { name: 'Unlock' }).click()
    await page.getByRole('heading', { name: 'Contacts' }).waitFor()
    await page.getByRole('button', { name: 'My ID' }).click()
    await page.getByText(/Alice/).first().waitFor()

    // and a reload of that tab still gets in
    await page.reload()
    await page.getByRole('heading', { name: 'Contacts' }).waitFor()

    // the first URL, used by that page before the restart, lets no other tab in
    const other = await browser.context.newPage()
    await other.goto(first.url)
    await other.getByRole('heading', { name: 'Cairn cannot start' }).waitFor()
    await other.close()
    await stopShell(second)
  }, 300_000)
})

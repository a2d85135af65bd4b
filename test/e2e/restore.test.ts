// Losing a machine: the identity exported in Settings is restored on a fresh profile through the
// first-run screen, from the saved backup file, and comes back with the same contact ID.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Browser, createIdentity, ShellNode, startShellPair, type ShellPair } from '../helpers/e2e'

const PASS = 'correct horse battery staple'
const BACKUP_PASS = 'a separate backup passphrase'

describe('restoring an identity through the UI', () => {
  let pair: ShellPair
  let old: ShellNode
  let fresh: ShellNode
  let browser: Browser

  beforeAll(async () => {
    pair = await startShellPair()
    ;[old, fresh] = pair.nodes
    browser = await Browser.launch()
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    await pair?.destroy()
  })

  it('exports in Settings, then restores the same ID in a fresh profile from the saved file', async () => {
    const page = await browser.page()
    await page.goto(old.url)
    await createIdentity(page, 'Alice', PASS)
    const id = (await old.host.profile()).id

    await page.getByRole('navigation', { name: 'Cairn' }).getByRole('button', { name: 'Settings' }).click()
    await page.getByLabel('Profile passphrase').fill(PASS)
    await page.getByLabel('Backup passphrase', { exact: true }).fill(BACKUP_PASS)
    await page.getByLabel('Confirm backup passphrase').fill(BACKUP_PASS)
    await page.getByRole('button', { name: 'Export identity' }).click()
    const text = await page.getByLabel('Identity backup').inputValue()
    expect(text).toMatch(/^cairn-backup-v1:/)
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Save as file' }).click()])
    const file = await download.path()
    await old.stop()

    await page.goto(fresh.url)
    await page.getByRole('button', { name: 'Restore from backup' }).click()
    await page.getByRole('heading', { name: 'Restore from backup' }).waitFor()
    await page.getByLabel('Open backup file').setInputFiles(file)
    await expect.poll(() => page.getByLabel('Identity backup').inputValue()).toBe(text)
    await page.getByLabel('Backup passphrase').fill('not the backup passphrase')
    await page.getByLabel('Display name').fill('Alice')
    await page.getByLabel('Passphrase', { exact: true }).fill('a new passphrase here')
    await page.getByLabel('Confirm passphrase').fill('a new passphrase here')
    await page.getByRole('button', { name: 'Restore identity' }).click()
    await page.getByText('This passphrase does not open the backup.').waitFor()
    expect(await fresh.host.state()).toEqual({ profile: 'none', me: null })

    await page.getByLabel('Backup passphrase').fill(BACKUP_PASS)
    await page.getByRole('button', { name: 'Restore identity' }).click()
    await page.getByRole('heading', { name: 'Contacts' }).waitFor()
    await page.getByRole('navigation', { name: 'Cairn' }).getByRole('button', { name: 'My ID' }).click()
    expect((await page.getByLabel('My contact ID').textContent())?.trim()).toBe(id)
    expect(await fresh.host.profile()).toEqual({ id, name: 'Alice' })
  })
})

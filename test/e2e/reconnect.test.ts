// A page outliving its web shell: the shell (and then the whole node) goes away under an open page,
// which says so, reconnects when a shell is back at the same address, re-reads what it shows
// (unlocking if the node restarted locked) and carries on.
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ContactId } from '../../core/api/types'
import { Browser, createIdentity, sendMessage, ShellNode, startShellPair, type ShellPair } from '../helpers/e2e'

const PASS = 'correct horse battery staple'
const SHOTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'screenshots')
const DISCONNECTED = 'Disconnected from Cairn — reconnecting…'

async function until(cond: () => Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

async function hasMessage(node: ShellNode, contact: ContactId, text: string): Promise<boolean> {
  const page = await node.host.history(contact, { limit: 50 })
  return page.messages.some((m) => m.text === text)
}

function banner(page: Page) {
  return page.getByRole('alert').filter({ hasText: DISCONNECTED })
}

describe('a page whose web shell goes away', () => {
  let pair: ShellPair
  let alice: ShellNode
  let bob: ShellNode
  let browser: Browser

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true })
    pair = await startShellPair()
    ;[alice, bob] = pair.nodes
    browser = await Browser.launch()
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    await pair?.destroy()
  })

  it('shows the disconnection, reconnects at the same address, re-reads state, unlocks after a restart', async () => {
    // Alice uses the page; Bob is driven through the API only
    const page = await browser.page()
    await page.goto(alice.url)
    await createIdentity(page, 'Alice', PASS)
    const aliceId = (await alice.host.profile()).id
    const bobId = (await bob.host.create('Bob', PASS)).id
    await bob.host.addContact(aliceId, 'Alice')
    const request = page.getByRole('listitem', { name: 'Request from Bob' })
    await request.waitFor({ timeout: 45_000 })
    await request.getByRole('button', { name: 'Accept' }).click()
    const conversation = page.getByRole('region', { name: 'Bob' })
    await conversation.waitFor()
    await until(async () => (await bob.host.contacts()).some((c) => c.id === aliceId && c.presence !== 'offline'), 'Bob to reach Alice')
    await bob.host.send(aliceId, 'Before the break')
    await conversation.getByText('Before the break').waitFor({ timeout: 45_000 })
    expect(await banner(page).count()).toBe(0)

    // the web shell alone goes away; the node behind it keeps running and receives a message
    await alice.restartShell(async () => {
      await banner(page).waitFor()
      await page.screenshot({ path: join(SHOTS, '10-disconnected.png') })
      // the screen underneath cannot be used meanwhile (inert): the composer does not even take focus
      const focusable = await page.getByRole('textbox', { name: 'Message' }).evaluate((el: HTMLElement) => {
        el.focus()
        return document.activeElement === el
      })
      expect(focusable).toBe(false)
      await bob.host.send(aliceId, 'While the shell was away')
      await until(() => hasMessage(alice, bobId, 'While the shell was away'), 'the message to reach Alice’s node')
    })
    await banner(page).waitFor({ state: 'detached', timeout: 45_000 })
    // still unlocked, the same conversation open, the message missed while away now shown
    await conversation.getByText('While the shell was away').waitFor()
    await conversation.getByText('Before the break').waitFor()
    await sendMessage(page, 'Back through the same page')
    await until(() => hasMessage(bob, aliceId, 'Back through the same page'), 'Bob to receive the message after the shell restart')

    // the whole node goes away: it comes back locked, so the page asks to unlock
    await alice.stop()
    await banner(page).waitFor()
    await alice.open()
    await page.getByRole('heading', { name: 'Unlock' }).waitFor({ timeout: 45_000 })
    await banner(page).waitFor({ state: 'detached' })
    await page.getByLabel('Passphrase').fill(PASS)
    await page.getByRole('button', { name: 'Unlock' }).click()
    await page.getByRole('heading', { name: 'Contacts' }).waitFor()
    await page.getByRole('region', { name: 'Contacts' }).getByRole('button', { name: /^Bob\b/ }).click()
    for (const text of ['Before the break', 'While the shell was away', 'Back through the same page']) {
      await conversation.getByText(text).waitFor()
    }
    await sendMessage(page, 'After a full restart')
    await until(() => hasMessage(bob, aliceId, 'After a full restart'), 'Bob to receive the message after the node restart')
  }, 300_000)
})

// Search in Chromium against two real web shells: the sidebar box (Ctrl+K) finds messages in every
// conversation as it is typed, a hit opens its conversation at that message (paging back through
// history), the conversation's own search (Ctrl+Shift+F) stays inside it, and a deleted message is
// no longer found.
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ContactId } from '../../core/api/types'
import { encodeContactId, generateIdentity } from '../../core/identity'
import { befriend, Browser, openPages, ShellNode, type ShellPair, startShellPair, until } from '../helpers/e2e'

const PASS = 'correct horse battery staple'
const FILLERS = 450

const hitTexts = (page: Page, region: string) =>
  page
    .getByRole('region', { name: region })
    .getByRole('button')
    .evaluateAll((els) => els.map((el) => el.querySelector('.snippet')?.textContent ?? ''))

describe('search in the browser', () => {
  let pair: ShellPair
  let alice: ShellNode
  let bob: ShellNode
  let aliceId: ContactId
  let bobId: ContactId
  const daveId = encodeContactId(generateIdentity().publicKey)
  let browsers: Browser[] = []
  let a: Page
  let b: Page

  beforeAll(async () => {
    pair = await startShellPair()
    ;[alice, bob] = pair.nodes
    ;({ aliceId, bobId } = await befriend(pair, PASS))
    await alice.host.addContact(daveId, 'Dave')
    // an old message far back in Bob's conversation, then enough after it that it is not on the first pages
    await bob.host.send(aliceId, 'the old lighthouse map')
    for (let i = 0; i < FILLERS; i += 50) await Promise.all(Array.from({ length: 50 }, (_, j) => bob.host.send(aliceId, `filler ${i + j}`)))
    await alice.host.send(daveId, 'Lighthouse tickets for Dave')
    await until(async () => (await alice.host.history(bobId, { limit: 1 })).messages[0]?.text === `filler ${FILLERS - 1}`, 'the fillers to arrive', 120_000)
    ;({ browsers, pages: [a, b] } = await openPages(pair))
  }, 240_000)

  afterAll(async () => {
    for (const browser of browsers) await browser.close()
    await pair?.destroy()
  })

  it('finds as typed across conversations, newest first, and a hit opens the conversation at that message', async () => {
    // a message Bob types now, received while Alice's page is open
    await b.getByRole('region', { name: 'Contacts' }).getByRole('button', { name: /^Alice\b/ }).click()
    await b.getByRole('textbox', { name: 'Message' }).fill('see the lighthouse at dusk')
    await b.getByRole('textbox', { name: 'Message' }).press('Enter')
    await until(async () => (await alice.host.history(bobId, { limit: 1 })).messages[0]?.text === 'see the lighthouse at dusk', 'the new message to arrive')

    await a.keyboard.press('Control+K')
    const box = a.getByRole('searchbox', { name: 'Search contacts and messages' })
    expect(await box.evaluate((el) => el === document.activeElement)).toBe(true)
    await box.pressSequentially('lightho')
    await until(async () => (await hitTexts(a, 'Messages found')).length === 3, 'three hits')
    expect(await hitTexts(a, 'Messages found')).toEqual(['see the lighthouse at dusk', 'Lighthouse tickets for Dave', 'the old lighthouse map'])
    const found = a.getByRole('region', { name: 'Messages found' })
    expect(await found.locator('mark').allTextContents()).toEqual(['lighthouse', 'Lighthouse', 'lighthouse'])
    await box.pressSequentially(' map')
    await until(async () => (await hitTexts(a, 'Messages found')).length === 1, 'one hit for two words')

    await found.getByRole('button').filter({ hasText: 'the old lighthouse map' }).click()
    const chat = a.getByRole('region', { name: 'Bob' })
    const target = chat.getByRole('listitem').filter({ hasText: 'the old lighthouse map' })
    await target.waitFor({ timeout: 30_000 })
    await expect.poll(() => target.isVisible(), { timeout: 10_000 }).toBe(true)
    expect(await target.locator('.msg.found').count()).toBe(1)
  }, 120_000)

  it('searches inside the open conversation only, and a deleted message is no longer found', async () => {
    await a.keyboard.press('Control+Shift+F')
    const inChat = a.getByRole('searchbox', { name: 'Search in this conversation' })
    await inChat.waitFor()
    expect(await inChat.evaluate((el) => el === document.activeElement)).toBe(true)
    await inChat.pressSequentially('lighthouse')
    await until(async () => (await hitTexts(a, 'Found in this conversation')).length === 2, 'two hits with Bob')
    expect(await hitTexts(a, 'Found in this conversation')).toEqual(['see the lighthouse at dusk', 'the old lighthouse map'])

    const old = (await alice.host.search('old lighthouse', { contact: bobId }))[0]
    await alice.host.deleteMessage(bobId, old.message)
    await inChat.fill('')
    await inChat.pressSequentially('lighthouse')
    await until(async () => (await hitTexts(a, 'Found in this conversation')).length === 1, 'the deleted message gone from the hits')
    expect(await hitTexts(a, 'Found in this conversation')).toEqual(['see the lighthouse at dusk'])
    await inChat.fill('submarine')
    await a.getByText('No messages match “submarine”.').waitFor()
    await inChat.press('Escape')
    await inChat.waitFor({ state: 'detached' })
  }, 120_000)
})

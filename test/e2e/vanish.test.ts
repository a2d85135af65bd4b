// Delete for everyone, disappearing messages (set, shown, expired) and the contact list after an edit,
// by two people in Chromium against real web shells whose nodes run on a clock the test moves.
import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ContactId } from '../../core/api/types'
import { befriend, Browser, openPages, sendMessage, ShellNode, type ShellPair, startShellPair, until } from '../helpers/e2e'

const PASS = 'correct horse battery staple'
/** How far both nodes' clocks are ahead of the real one (the pages keep the real time). */
let skew = 0

async function openChat(page: Page, name: string): Promise<Locator> {
  await page.getByRole('region', { name: 'Contacts' }).getByRole('button', { name: new RegExp(`^${name}\\b`) }).click()
  const region = page.getByRole('region', { name })
  await region.waitFor()
  return region
}

const preview = (page: Page, name: string) =>
  page.getByRole('region', { name: 'Contacts' }).getByRole('button', { name: new RegExp(`^${name}\\b`) }).locator('.preview')

describe('deleting for everyone and disappearing messages in the browser', () => {
  let pair: ShellPair
  let alice: ShellNode
  let bob: ShellNode
  let aliceId: ContactId
  let bobId: ContactId
  let browsers: Browser[] = []
  let a: Page
  let b: Page

  beforeAll(async () => {
    pair = await startShellPair({ clock: () => Date.now() + skew, expiryCheckMs: 100 })
    ;[alice, bob] = pair.nodes
    ;({ aliceId, bobId } = await befriend(pair, PASS))
    ;({ browsers, pages: [a, b] } = await openPages(pair))
  }, 180_000)

  afterAll(async () => {
    for (const browser of browsers) await browser.close()
    await pair?.destroy()
  })

  it('delete for everyone asks first, then leaves a "deleted" place on both pages', async () => {
    const chat = await openChat(a, 'Bob')
    const bobsChat = await openChat(b, 'Alice')
    await sendMessage(a, 'meant for someone else')
    const row = chat.getByRole('listitem').filter({ hasText: 'meant for someone else' })
    await row.getByLabel(/Sent|Delivered|Read/).waitFor()
    await bobsChat.getByRole('listitem').filter({ hasText: 'meant for someone else' }).waitFor()

    await row.getByRole('button', { name: 'Delete for everyone' }).click()
    const confirm = a.getByRole('dialog', { name: 'Delete for everyone?' })
    await confirm.waitFor()
    await a.keyboard.press('Escape')
    await confirm.waitFor({ state: 'hidden' })
    expect(await row.count()).toBe(1)

    await row.getByRole('button', { name: 'Delete for everyone' }).click()
    await confirm.getByRole('button', { name: 'Delete for everyone' }).click()
    await chat.getByText('You deleted this message').waitFor()
    await bobsChat.getByText('This message was deleted').waitFor()
    expect(await chat.getByText('meant for someone else').count()).toBe(0)
    expect(await bobsChat.getByText('meant for someone else').count()).toBe(0)
    await until(async () => (await preview(b, 'Alice').textContent())?.includes('Message deleted') ?? false, "Bob's contact list to say so")
    const atBob = (await bob.host.history(aliceId, { limit: 5 })).messages[0]
    expect(atBob).toMatchObject({ deleted: true, text: '' })
    // only my own messages offer it
    await bob.host.send(aliceId, 'mine to keep')
    const theirs = chat.getByRole('listitem').filter({ hasText: 'mine to keep' })
    await theirs.waitFor()
    expect(await theirs.getByRole('button', { name: 'Delete for everyone' }).count()).toBe(0)
  })

  it('disappearing messages: set on one page, shown in both headers with a line in both chats, turned off from the other', async () => {
    const chat = await openChat(a, 'Bob')
    const bobsChat = await openChat(b, 'Alice')
    await chat.getByLabel('Disappearing messages').selectOption({ label: '1 day' })
    await chat.getByText('You set disappearing messages to 1 day').waitFor()
    await bobsChat.getByText('Alice set disappearing messages to 1 day').waitFor()
    await bobsChat.getByTitle('Disappearing messages').filter({ hasText: '1 day' }).waitFor()
    await chat.getByTitle('Disappearing messages').filter({ hasText: '1 day' }).waitFor()
    expect(await bobsChat.getByLabel('Disappearing messages').inputValue()).toBe('86400')

    await sendMessage(a, 'this one disappears')
    const atBob = bobsChat.getByRole('listitem').filter({ hasText: 'this one disappears' })
    await atBob.getByLabel(/^Disappears /).waitFor()
    const stored = (await bob.host.history(aliceId, { limit: 1 })).messages[0]
    expect(stored.expiresAt! - stored.receivedAt).toBe(86_400_000)

    await bobsChat.getByLabel('Disappearing messages').selectOption({ label: 'Off' })
    await chat.getByText('Bob turned off disappearing messages').waitFor()
    await chat.getByTitle('Disappearing messages').waitFor({ state: 'detached' })
    expect(await chat.getByLabel('Disappearing messages').inputValue()).toBe('0')
    expect((await alice.host.contacts())[0].disappearing).toBeUndefined()
  })

  it('disappearing messages leave both pages when they expire', async () => {
    const chat = await openChat(a, 'Bob')
    const bobsChat = await openChat(b, 'Alice')
    await chat.getByLabel('Disappearing messages').selectOption({ label: '5 minutes' })
    await bobsChat.getByText('Alice set disappearing messages to 5 minutes').waitFor()
    await sendMessage(a, 'short-lived from Alice')
    await bob.host.send(aliceId, 'short-lived from Bob')
    for (const [page, text] of [[chat, 'short-lived from Bob'], [bobsChat, 'short-lived from Alice']] as const) {
      await page.getByRole('listitem').filter({ hasText: text }).getByLabel(/^Disappears /).waitFor()
    }
    await chat.getByText('short-lived from Alice').waitFor()
    await bobsChat.getByText('short-lived from Bob').waitFor()

    skew += 5 * 60_000 + 1000
    for (const page of [chat, bobsChat]) {
      for (const text of ['short-lived from Alice', 'short-lived from Bob']) await page.getByText(text).waitFor({ state: 'detached' })
    }
    await until(async () => (await preview(b, 'Alice').textContent())?.includes('Disappearing messages: 5 minutes') ?? false, "Bob's list to drop them")
    expect((await bob.host.history(aliceId, { limit: 3 })).messages.map((m) => m.text)).not.toContain('short-lived from Alice')
    await chat.getByLabel('Disappearing messages').selectOption({ label: 'Off' })
    await bobsChat.getByText('Alice turned off disappearing messages').waitFor()
  })

  it('after an edit, both contact lists show the new text', async () => {
    const chat = await openChat(a, 'Bob')
    await sendMessage(a, 'lunch at 12?')
    const row = chat.getByRole('listitem').filter({ hasText: 'lunch at 12?' })
    await row.getByLabel(/Sent|Delivered|Read/).waitFor()
    await until(async () => (await preview(b, 'Alice').textContent())?.includes('lunch at 12?') ?? false, "Bob's list to show it")
    await row.getByRole('button', { name: 'Edit' }).click()
    const box = a.getByRole('textbox', { name: 'Message' })
    await box.fill('lunch at 1?')
    await box.press('Enter')
    await chat.getByRole('listitem').filter({ hasText: 'lunch at 1?' }).getByText('edited', { exact: true }).waitFor()
    await until(async () => (await preview(b, 'Alice').textContent())?.includes('lunch at 1?') ?? false, "Bob's list to show the edit")
    await until(async () => (await preview(a, 'Bob').textContent())?.includes('You: lunch at 1?') ?? false, "Alice's list to show the edit")
  })

  it('a deletion or a timer change from the contact notifies no one; the next message does', async () => {
    await browsers[1].context.grantPermissions(['notifications'], { origin: new URL(bob.url).origin })
    await b.addInitScript(() => {
      const shown: string[] = []
      ;(window as unknown as { shown: string[] }).shown = shown
      const Real = window.Notification
      window.Notification = class extends Real {
        constructor(title: string, options?: NotificationOptions) {
          super(title, options)
          shown.push(`${title}: ${options?.body ?? ''}`)
        }
      } as typeof Notification
    })
    await b.reload()
    await b.getByRole('heading', { name: 'Contacts' }).waitFor()
    await b.getByRole('navigation', { name: 'Cairn' }).getByRole('button', { name: 'Settings' }).click()
    const shown = () => b.evaluate(() => (window as unknown as { shown: string[] }).shown)
    const sent = await alice.host.send(bobId, 'notice me')
    await until(async () => (await shown()).length === 1, 'the first notification')
    await alice.host.deleteForEveryone(bobId, sent.id)
    await alice.host.setDisappearing(bobId, 300)
    await until(async () => (await preview(b, 'Alice').textContent())?.includes('Disappearing messages: 5 minutes') ?? false, 'the timer line to reach Bob')
    await alice.host.send(bobId, 'and this one')
    await until(async () => (await shown()).length >= 2, 'the next notification')
    expect(await shown()).toEqual(['Alice: notice me', 'Alice: and this one'])
  })
})

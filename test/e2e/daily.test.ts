// Daily use by two people in Chromium against real web shells: nothing typed or sent is lost, the
// catch-up bar ends, the layout holds in a narrow window and for right-to-left text, and the
// "new messages" divider stays where the unread part began.
import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ContactId } from '../../core/api/types'
import { befriend, Browser, openPages, ShellNode, type ShellPair, startShellPair, until } from '../helpers/e2e'

const PASS = 'correct horse battery staple'

/** Every text in the conversation as `node` stores it, oldest first. */
async function stored(node: ShellNode, contact: ContactId): Promise<string[]> {
  const texts: string[] = []
  let before: string | undefined
  for (let i = 0; i < 10; i++) {
    const page = await node.host.history(contact, before ? { limit: 500, before } : { limit: 500 })
    texts.push(...page.messages.map((m) => m.text))
    if (!page.before) break
    before = page.before
  }
  return texts.reverse()
}

/**
 * Polls what `node` stores until `want` messages match, or until nothing has changed for a while
 * (so a run that lost messages fails on the comparison instead of at a timeout).
 */
async function settledTexts(node: ShellNode, contact: ContactId, match: (t: string) => boolean, want: number): Promise<string[]> {
  let last: string[] = []
  let changedAt = Date.now()
  const deadline = Date.now() + 90_000
  while (Date.now() < deadline) {
    const now = (await stored(node, contact)).filter(match)
    if (now.length !== last.length) changedAt = Date.now()
    last = now
    if (now.length >= want || Date.now() - changedAt > 10_000) break
    await new Promise((r) => setTimeout(r, 250))
  }
  return last
}

function navigate(page: Page, to: 'Add contact' | 'My ID' | 'Settings') {
  return page.getByRole('navigation', { name: 'Cairn' }).getByRole('button', { name: to }).click()
}

async function openChat(page: Page, name: string): Promise<Locator> {
  await page.getByRole('region', { name: 'Contacts' }).getByRole('button', { name: new RegExp(`^${name}\\b`) }).click()
  const region = page.getByRole('region', { name })
  await region.waitFor()
  return region
}

async function top(l: Locator): Promise<number> {
  const box = await l.boundingBox()
  if (!box) throw new Error('element not laid out')
  return box.y
}

describe('daily use in the browser', () => {
  let pair: ShellPair
  let alice: ShellNode
  let bob: ShellNode
  let aliceId: ContactId
  let bobId: ContactId
  let browsers: Browser[] = []
  let a: Page
  let b: Page

  beforeAll(async () => {
    pair = await startShellPair()
    ;[alice, bob] = pair.nodes
    ;({ aliceId, bobId } = await befriend(pair, PASS))
    ;({ browsers, pages: [a, b] } = await openPages(pair))
  }, 180_000)

  afterAll(async () => {
    for (const browser of browsers) await browser.close()
    await pair?.destroy()
  })

  it('keeps text typed right after Enter, and 200 messages sent as fast as the keyboard allows arrive in order, once', async () => {
    const chat = await openChat(a, 'Bob')
    await openChat(b, 'Alice')
    const box = a.getByRole('textbox', { name: 'Message' })
    await box.focus()
    await a.keyboard.type('first')
    await a.keyboard.press('Enter')
    await a.keyboard.type('next words')
    await chat.getByRole('listitem').filter({ hasText: 'first' }).getByLabel(/Sent|Delivered|Read/).waitFor()
    expect(await box.inputValue()).toBe('next words')
    await box.fill('')

    const texts = Array.from({ length: 200 }, (_, i) => `burst ${String(i).padStart(3, '0')}`)
    for (const text of texts) {
      await a.keyboard.type(text)
      await a.keyboard.press('Enter')
    }
    const burst = (t: string) => t.startsWith('burst ')
    expect(await settledTexts(bob, aliceId, burst, 200)).toEqual(texts)
    expect((await stored(alice, bobId)).filter(burst)).toEqual(texts)
    expect(await box.inputValue()).toBe('')

    // Bob saw the burst live: the catch-up bar ends and the list shows the last message again
    await b.getByRole('region', { name: 'Alice' }).getByText('burst 199').waitFor()
    await b.getByText('Catching up', { exact: false }).first().waitFor({ state: 'detached', timeout: 15_000 })
    await b.getByRole('region', { name: 'Contacts' }).getByText('burst 199').waitFor()
  }, 240_000)

  it('in a window 600 px wide, a long unbroken string neither widens the page nor pushes the controls off screen', async () => {
    await a.setViewportSize({ width: 600, height: 800 })
    try {
      await narrowChecks()
    } finally {
      await a.setViewportSize({ width: 1100, height: 720 })
    }
  })

  async function narrowChecks(): Promise<void> {
    const long = 'aGVsbG8'.repeat(900)
    await bob.host.send(aliceId, long)
    const chat = a.getByRole('region', { name: 'Bob' })
    await chat.getByText(long.slice(0, 40), { exact: false }).waitFor()
    const overflow = () => a.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    expect(await overflow()).toBeLessThanOrEqual(0)
    const bubble = await chat.getByText(long.slice(0, 40), { exact: false }).boundingBox()
    expect(bubble!.x + bubble!.width).toBeLessThanOrEqual(600)

    await a.getByRole('button', { name: 'Contacts' }).click()
    await a.getByRole('region', { name: 'Contacts' }).getByText(long.slice(0, 40), { exact: false }).waitFor()
    expect(await overflow()).toBeLessThanOrEqual(0)
    for (const name of ['Lock', 'Settings', 'My ID']) {
      const control = await a.getByRole('navigation', { name: 'Cairn' }).getByRole('button', { name }).boundingBox()
      expect(control!.x + control!.width, name).toBeLessThanOrEqual(600)
    }
  }

  it('lays out right-to-left text right to left, in bubbles and in the composer', async () => {
    const chat = await openChat(a, 'Bob')
    await bob.host.send(aliceId, 'مرحبا بالعالم، hello')
    const text = chat.getByText('مرحبا بالعالم', { exact: false })
    await text.waitFor()
    expect(await text.evaluate((el) => el.matches(':dir(rtl)'))).toBe(true)
    const box = a.getByRole('textbox', { name: 'Message' })
    await box.fill('שלום עולם')
    expect(await box.evaluate((el) => el.matches(':dir(rtl)'))).toBe(true)
    await box.fill('hello world')
    expect(await box.evaluate((el) => el.matches(':dir(ltr)'))).toBe(true)
    await box.fill('')
  })

  it('shows emoji from the font shipped with the app', async () => {
    const chat = await openChat(a, 'Bob')
    await bob.host.send(aliceId, 'party time 🎉')
    await chat.getByText('party time 🎉').waitFor()
    const faces = await a.evaluate(async () => (await document.fonts.load('16px "Noto Color Emoji"', '🎉')).length)
    expect(faces).toBeGreaterThan(0)
  })

  it('keeps the "new messages" divider where the unread part began as more arrive', async () => {
    await navigate(a, 'My ID')
    for (const t of ['unread one', 'unread two', 'unread three']) await bob.host.send(aliceId, t)
    await a.getByRole('region', { name: 'Contacts' }).getByLabel('3 unread').waitFor()
    const chat = await openChat(a, 'Bob')
    const divider = chat.getByText('3 new messages')
    await divider.waitFor()
    const first = chat.getByText('unread one', { exact: true })
    expect(await top(divider)).toBeLessThan(await top(first))

    for (const t of ['later one', 'later two']) await bob.host.send(aliceId, t)
    await chat.getByText('later two', { exact: true }).waitFor()
    expect(await top(divider)).toBeLessThan(await top(first))
    expect(await top(chat.getByText('مرحبا بالعالم', { exact: false }))).toBeLessThan(await top(divider))
  })

  it('"Not verified" opens the safety number in the chat, as a grid of 3 rows of 4 groups, and verifying stays there', async () => {
    const chat = await openChat(a, 'Bob')
    await chat.getByRole('button', { name: 'Not verified' }).click()
    const dialog = a.getByRole('dialog', { name: 'Safety number with Bob' })
    await dialog.waitFor()
    const groups = dialog.locator('.grid span')
    await groups.first().waitFor()
    const boxes = await groups.evaluateAll((els) => els.map((el) => el.getBoundingClientRect()).map((r) => ({ x: Math.round(r.x), y: Math.round(r.y) })))
    expect(boxes).toHaveLength(12)
    expect(new Set(boxes.map((b) => b.y)).size).toBe(3)
    expect(new Set(boxes.map((b) => b.x)).size).toBe(4)
    const digits = (await groups.allTextContents()).join(' ')
    expect(digits).toBe(await alice.host.safetyNumber(bobId))
    await dialog.getByRole('button', { name: 'They match: mark verified' }).click()
    await chat.getByText('Verified ✓').waitFor()
    expect(await dialog.isVisible()).toBe(false)
    await expect(chat.getByRole('textbox', { name: 'Message' }).isVisible()).resolves.toBe(true)
    await alice.host.setVerified(bobId, false)
  })

  it('keeps a half-written draft per conversation while other views are open', async () => {
    await openChat(a, 'Bob')
    const box = a.getByRole('textbox', { name: 'Message' })
    await box.fill('half-written thought')
    await navigate(a, 'Settings')
    await a.getByRole('heading', { name: 'Settings' }).waitFor()
    await openChat(a, 'Bob')
    expect(await box.inputValue()).toBe('half-written thought')
    await box.fill('')
  })

  it('keyboard: Ctrl+/ lists the shortcuts, Esc closes it, Alt+↓ opens a conversation, Esc closes a panel', async () => {
    await navigate(a, 'Settings')
    await a.keyboard.press('Control+/')
    const help = a.getByRole('dialog', { name: 'Keyboard shortcuts' })
    await help.waitFor()
    await a.keyboard.press('Escape')
    await help.waitFor({ state: 'hidden' })
    await a.getByRole('heading', { name: 'Settings' }).waitFor()
    await a.keyboard.press('Escape')
    await a.getByRole('heading', { name: 'Settings' }).waitFor({ state: 'detached' })
    await a.keyboard.press('Alt+ArrowDown')
    await a.getByRole('region', { name: 'Bob' }).waitFor()
  })

  it('while the shell is away, the disconnection bar covers neither Lock nor the chat header', async () => {
    const chat = await openChat(a, 'Bob')
    const lock = a.getByRole('button', { name: 'Lock', exact: true })
    const heading = chat.getByRole('heading', { name: 'Bob', level: 2 })
    await alice.restartShell(async () => {
      const bar = a.getByRole('alert').filter({ hasText: 'Disconnected from Cairn' })
      await bar.waitFor()
      const barBox = (await bar.boundingBox())!
      for (const [name, control] of [['Lock', lock], ['chat header', heading]] as const) {
        const box = (await control.boundingBox())!
        const overlaps =
          box.x < barBox.x + barBox.width && barBox.x < box.x + box.width && box.y < barBox.y + barBox.height && barBox.y < box.y + box.height
        expect(overlaps, name).toBe(false)
      }
    })
    await a.getByRole('alert').filter({ hasText: 'Disconnected from Cairn' }).waitFor({ state: 'detached', timeout: 45_000 })
  })

  it('notifies through the browser as the settings say, and not for a muted conversation', async () => {
    await browsers[1].context.grantPermissions(['notifications'], { origin: new URL(bob.url).origin })
    // the browser's own Notification, recorded on its way to the system
    await b.addInitScript(() => {
      const shown: Array<{ title: string; body: string }> = []
      ;(window as unknown as { shown: typeof shown }).shown = shown
      const Real = window.Notification
      window.Notification = class extends Real {
        constructor(title: string, options?: NotificationOptions) {
          super(title, options)
          shown.push({ title, body: options?.body ?? '' })
        }
      } as typeof Notification
    })
    await b.reload()
    await b.getByRole('heading', { name: 'Contacts' }).waitFor()
    const shown = () => b.evaluate(() => (window as unknown as { shown: Array<{ title: string; body: string }> }).shown)
    const arrives = async (text: string) => {
      await alice.host.send(bobId, text)
      await until(async () => (await stored(bob, aliceId)).includes(text), `${text} to reach Bob`)
      await b.getByRole('region', { name: 'Contacts' }).getByText(text).waitFor()
    }

    await navigate(b, 'Settings')
    await arrives('ping one')
    await b.getByLabel('Notifications show').selectOption({ label: 'Name only' })
    await arrives('ping two')
    await b.getByLabel('Notifications show').selectOption({ label: 'No name or message' })
    await arrives('ping three')
    expect(await shown()).toEqual([
      { title: 'Alice', body: 'ping one' },
      { title: 'Alice', body: 'New message' },
      { title: 'Cairn', body: 'New message' }
    ])

    const chat = await openChat(b, 'Alice')
    await chat.getByRole('button', { name: 'Mute', exact: true }).click()
    await navigate(b, 'My ID')
    await arrives('ping four')
    expect(await shown()).toHaveLength(3)
    await openChat(b, 'Alice')
    await chat.getByRole('button', { name: 'Unmute' }).click()
  })

  it('replies: quote a message, see the quote on both sides, jump to the original', async () => {
    const chat = await openChat(a, 'Bob')
    const asked = await bob.host.send(aliceId, 'which day works for you?')
    const row = chat.getByRole('listitem').filter({ hasText: 'which day works for you?' })
    await row.waitFor()
    await row.getByRole('button', { name: 'Reply' }).click()
    await chat.getByRole('status').filter({ hasText: 'Replying to Bob' }).waitFor()
    await a.keyboard.type('thursday')
    await a.keyboard.press('Enter')
    const mine = chat.getByRole('listitem').filter({ hasText: 'thursday' }).filter({ hasNotText: 'thursday it is' })
    await mine.getByRole('button', { name: /which day works/ }).waitFor()
    expect(await chat.getByRole('status').filter({ hasText: 'Replying to' }).count()).toBe(0)
    await until(async () => (await bob.host.history(aliceId, { limit: 5 })).messages.some((m) => m.text === 'thursday'), 'the reply to reach Bob')
    const atBob = (await bob.host.history(aliceId, { limit: 5 })).messages.find((m) => m.text === 'thursday')!
    expect(atBob.replyTo).toBe(asked.id)

    // Bob quotes Alice's reply: her page shows the quote as her own words
    await bob.host.send(aliceId, 'thursday it is', atBob.id)
    const quoted = chat.getByRole('listitem').filter({ hasText: 'thursday it is' }).getByRole('button', { name: /You/ })
    await quoted.waitFor()
    await quoted.click()
    await mine.waitFor()
  })

  it('reactions: choose one under a message, see it on both pages with who gave it, take it back', async () => {
    const chat = await openChat(a, 'Bob')
    const bobsChat = await openChat(b, 'Alice')
    const sent = await bob.host.send(aliceId, 'the train is late again')
    const row = chat.getByRole('listitem').filter({ hasText: 'the train is late again' })
    await row.waitFor()
    await row.getByRole('button', { name: 'React' }).click()
    await row.getByRole('group', { name: 'Reactions' }).getByRole('button', { name: '😢' }).click()
    await row.getByRole('img', { name: '😢 from You', exact: true }).waitFor()
    const bobsRow = bobsChat.getByRole('listitem').filter({ hasText: 'the train is late again' })
    await bobsRow.getByRole('img', { name: '😢 from Alice', exact: true }).waitFor()

    await bob.host.react(aliceId, sent.id, '😢')
    await row.getByRole('img', { name: '😢 from You and Bob', exact: true }).waitFor()

    await row.getByRole('button', { name: 'React' }).click()
    await row.getByRole('group', { name: 'Reactions' }).getByRole('button', { name: '😢' }).click()
    await row.getByRole('img', { name: '😢 from Bob', exact: true }).waitFor()
    await bobsRow.getByRole('img', { name: '😢 from You', exact: true }).waitFor()
    const reactionsAtBob = async () => (await bob.host.history(aliceId, { limit: 10 })).messages.find((m) => m.id === sent.id)?.reactions
    await until(async () => (await reactionsAtBob())?.theirs === undefined, 'the withdrawal to reach Bob')
    expect(await reactionsAtBob()).toEqual({ mine: '😢' })
  })

  it('edit: change my message from its bubble; both pages show the new text marked edited', async () => {
    const chat = await openChat(a, 'Bob')
    const box = a.getByRole('textbox', { name: 'Message' })
    await box.fill('see you at 6')
    await box.press('Enter')
    const row = chat.getByRole('listitem').filter({ hasText: 'see you at 6' })
    await row.getByLabel(/Sent|Delivered|Read/).waitFor()
    await box.fill('a draft to come back to')
    await row.getByRole('button', { name: 'Edit' }).click()
    await chat.getByRole('status').filter({ hasText: 'Editing your message' }).waitFor()
    expect(await box.inputValue()).toBe('see you at 6')
    await box.fill('see you at 7')
    await box.press('Enter')
    const edited = chat.getByRole('listitem').filter({ hasText: 'see you at 7' })
    await edited.getByText('edited', { exact: true }).waitFor()
    expect(await box.inputValue()).toBe('a draft to come back to')
    const bobsChat = await openChat(b, 'Alice')
    await bobsChat.getByRole('listitem').filter({ hasText: 'see you at 7' }).getByText('edited', { exact: true }).waitFor()
    expect(await bobsChat.getByText('see you at 6').count()).toBe(0)
    await box.fill('')
  })

  it('shows the contact offline in the header without the warning style, and keeps what is written meanwhile', async () => {
    const chat = await openChat(a, 'Bob')
    await bob.stop()
    const presence = chat.locator('header').getByText('Offline', { exact: true })
    await presence.waitFor({ timeout: 45_000 })
    const style = await presence.evaluate((el) => {
      const s = getComputedStyle(el)
      return { background: s.backgroundColor, padding: s.paddingTop }
    })
    expect(style).toEqual({ background: 'rgba(0, 0, 0, 0)', padding: '0px' })

    await a.getByRole('textbox', { name: 'Message' }).focus()
    await a.keyboard.type('while you were away')
    await a.keyboard.press('Enter')
    await chat.getByText('while you were away', { exact: true }).waitFor()
    await until(async () => (await stored(alice, bobId)).includes('while you were away'), 'the message to be stored')
    expect(await a.getByRole('textbox', { name: 'Message' }).inputValue()).toBe('')
  })

  it('locks itself after the chosen time without use, and input in between postpones it', async () => {
    await a.clock.install()
    await a.reload()
    await a.getByRole('heading', { name: 'Contacts' }).waitFor()
    await navigate(a, 'Settings')
    await a.getByLabel('Lock Cairn after').selectOption({ label: '5 minutes without use' })
    const unlock = a.getByRole('heading', { name: 'Unlock' })
    await a.clock.runFor('04:00')
    await a.mouse.move(40, 40)
    await a.mouse.move(60, 60)
    await a.clock.runFor('04:00')
    expect(await unlock.count()).toBe(0)
    expect((await alice.host.state()).profile).toBe('unlocked')
    await a.clock.runFor('01:30')
    await unlock.waitFor()
    expect((await alice.host.state()).profile).toBe('locked')
  })
})

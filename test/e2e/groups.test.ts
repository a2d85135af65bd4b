// Five people in one group: Alice, Bob and Carol in Chromium through their web shells, Dave and Eve
// as headless nodes (five browsers are too heavy for the shared test machine). Alice makes the group
// from her contacts in the UI, everyone chats, Alice removes Carol: Carol's screen says so and shows
// nothing written after it, while the others go on.
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CairnEvent } from '../../core/api/types'
import { CairnHost } from '../../core/host/host'
import { createLocalTestnet, type LocalTestnet } from '../../core/net/testnet'
import { Browser, ShellNode } from '../helpers/e2e'
import { Fixture, waitFor } from '../helpers/core'

const PASS = 'correct horse battery staple'

describe('a five-person group through the UI', () => {
  let testnet: LocalTestnet
  const shells: ShellNode[] = []
  const headless = new Fixture()
  let browser: Browser

  beforeAll(async () => {
    testnet = await createLocalTestnet(3)
    for (let i = 0; i < 3; i++) shells.push(await ShellNode.start(testnet.bootstrap))
    headless.testnet = testnet
    browser = await Browser.launch()
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    for (const s of shells) await s.destroy()
    headless.testnet = null
    await headless.cleanup()
    await testnet?.destroy()
  })

  async function open(shell: ShellNode): Promise<Page> {
    const page = await browser.context.newPage()
    page.setDefaultTimeout(60_000)
    await page.goto(shell.url)
    await page.getByRole('heading', { name: 'Contacts' }).waitFor()
    return page
  }

  function groupText(page: Page, text: string) {
    return page.getByRole('list', { name: 'Messages' }).getByText(text, { exact: true })
  }

  it('create from contacts, chat with author names, remove one who is told and gets nothing new', async () => {
    const [aliceHost, bobHost, carolHost] = shells.map((s) => s.host)
    const dave = await headless.host()
    const eve = await headless.host()
    const hosts: [string, CairnHost][] = [
      ['Alice', aliceHost],
      ['Bob', bobHost],
      ['Carol', carolHost],
      ['Dave', dave.host],
      ['Eve', eve.host]
    ]
    const ids: Record<string, string> = {}
    for (const [name, host] of hosts) ids[name] = (await host.create(name, PASS)).id
    for (const [name, host] of hosts.slice(1)) {
      await aliceHost.addContact(ids[name], name)
      await host.addContact(ids.Alice, 'Alice')
    }
    await waitFor('every hello reached Alice', async () => {
      const contacts = await aliceHost.contacts()
      return contacts.filter((c) => c.announcedName !== null).length === 4
    }, 60_000)

    const [a, b, c] = [await open(shells[0]), await open(shells[1]), await open(shells[2])]

    await a.getByRole('button', { name: 'New group' }).click()
    await a.getByLabel('Group name').fill('Five')
    for (const name of ['Bob', 'Carol', 'Dave', 'Eve']) await a.getByRole('checkbox', { name }).check()
    await a.getByRole('button', { name: 'Create group' }).click()
    await a.getByRole('heading', { name: 'Five' }).waitFor()

    for (const page of [b, c]) {
      await page.getByRole('region', { name: 'Groups' }).getByRole('button', { name: /Five/ }).click()
      await page.getByRole('region', { name: 'Five' }).getByText('5 members').waitFor()
    }
    await a.getByRole('region', { name: 'Five' }).getByText('5 members').waitFor()
    const events = { dave: dave.events as CairnEvent[], eve: eve.events as CairnEvent[] }
    const got = (list: CairnEvent[], text: string) => list.some((e) => e.type === 'group-message' && e.message.text === text && !e.message.unreadable)

    await a.getByRole('textbox', { name: 'Message to Five' }).fill('hello five')
    await a.getByRole('textbox', { name: 'Message to Five' }).press('Enter')
    for (const page of [b, c]) await groupText(page, 'hello five').waitFor()
    await waitFor('Dave and Eve read Alice', () => got(events.dave, 'hello five') && got(events.eve, 'hello five'))
    await expect.poll(() => a.getByRole('button', { name: /Delivered to \d of 4/ }).first().textContent(), { timeout: 30_000 }).toMatch(/Delivered to [1-4] of 4/)

    await b.getByRole('textbox', { name: 'Message to Five' }).fill('bob here')
    await b.getByRole('button', { name: 'Send' }).click()
    await groupText(a, 'bob here').waitFor()
    await groupText(c, 'bob here').waitFor()
    // the author's name above the message, as each reader knows them (Carol is no contact of Bob's)
    const bobOnAlice = a.getByRole('list', { name: 'Messages' }).getByRole('listitem').filter({ hasText: 'bob here' })
    await expect.poll(() => bobOnAlice.textContent()).toContain('Bob')
    await waitFor('Eve reads Bob', () => got(events.eve, 'bob here'))

    await a.getByRole('button', { name: 'Members' }).click()
    await a.getByRole('list', { name: 'Members' }).getByText('admin').first().waitFor()
    await a.getByRole('button', { name: 'Remove Carol' }).click()
    await groupText(a, 'You removed Carol').waitFor()
    // Carol is no contact of Bob's: his screen names her by the start of her ID
    await groupText(b, `Alice removed ${ids.Carol.slice(0, 10)}`).waitFor()
    await c.getByText('You were removed from this group').waitFor()
    expect(await c.getByRole('textbox', { name: 'Message to Five' }).count()).toBe(0)

    await a.getByRole('textbox', { name: 'Message to Five' }).fill('after carol')
    await a.getByRole('textbox', { name: 'Message to Five' }).press('Enter')
    await groupText(b, 'after carol').waitFor()
    await waitFor('Dave and Eve read it', () => got(events.dave, 'after carol') && got(events.eve, 'after carol'))
    await dave.host.sendToGroup((await dave.host.groups())[0].id, 'dave after carol')
    await groupText(a, 'dave after carol').waitFor()
    await groupText(b, 'dave after carol').waitFor()

    expect(await groupText(c, 'after carol').count()).toBe(0)
    expect(await groupText(c, 'dave after carol').count()).toBe(0)
    const carolsGroup = (await carolHost.groups())[0]
    const carolsLines = (await carolHost.groupHistory(carolsGroup.id, { limit: 500 })).messages
    expect(carolsLines.filter((m) => m.kind === 'text' && !m.unreadable).map((m) => m.text).sort()).toEqual(['bob here', 'hello five'])
    expect(carolsGroup.status).toBe('removed')
  }, 240_000)
})

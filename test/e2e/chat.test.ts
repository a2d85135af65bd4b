// Two people, two web shells, two browsers, one loopback testnet: the whole path from the UI
// through the API transport and the real core, driven by role and accessible name.
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Browser, createIdentity, sendMessage, ShellNode, startShellPair, type ShellPair } from '../helpers/e2e'

const PASS = 'correct horse battery staple'
const SHOTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'screenshots')

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`) })
}

async function onboard(page: Page, url: string, name: string): Promise<void> {
  await page.goto(url)
  await page.getByRole('heading', { name: 'Create your identity' }).waitFor()
  // the access token is taken out of the address bar once the page has it
  expect(page.url()).not.toContain('token')
  await createIdentity(page, name, PASS)
}

function navigate(page: Page, to: 'Add contact' | 'My ID' | 'Settings') {
  return page.getByRole('navigation', { name: 'Cairn' }).getByRole('button', { name: to }).click()
}

async function myId(page: Page): Promise<string> {
  await navigate(page, 'My ID')
  const id = (await page.getByLabel('My contact ID').textContent())?.trim() ?? ''
  expect(id.length).toBeGreaterThan(40)
  return id
}

/** One character of an ID swapped for another valid z-base32 character. */
function mistype(id: string): string {
  const i = Math.floor(id.length / 2)
  return id.slice(0, i) + (id[i] === 'y' ? 'b' : 'y') + id.slice(i + 1)
}

describe('two people chatting through the web shell', () => {
  let pair: ShellPair
  let alice: ShellNode
  let bob: ShellNode
  let alicesBrowser: Browser
  let bobsBrowser: Browser

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true })
    pair = await startShellPair()
    ;[alice, bob] = pair.nodes
    alicesBrowser = await Browser.launch()
    bobsBrowser = await Browser.launch()
  }, 180_000)

  afterAll(async () => {
    await alicesBrowser?.close()
    await bobsBrowser?.close()
    await pair?.destroy()
  })

  it('onboards, exchanges IDs, accepts, chats both ways, restarts with history', async () => {
    const a = await alicesBrowser.page()
    const b = await bobsBrowser.page()
    await onboard(a, alice.url, 'Alice')
    await shot(a, '01-contacts-empty')
    await onboard(b, bob.url, 'Bob')

    const aliceId = await myId(a)
    expect(aliceId).toBe((await alice.host.profile()).id)
    await shot(a, '02-my-id')

    // Alice copies her ID with the button; Bob pastes it (each browser has its own clipboard, so
    // the text is carried across by the test, as a person would send it over another channel)
    await alicesBrowser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(alice.url).origin })
    await bobsBrowser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(bob.url).origin })
    await a.getByRole('button', { name: 'Copy ID' }).click()
    const copied = await a.evaluate(() => navigator.clipboard.readText())
    expect(copied.trim()).toBe(aliceId)

    // Bob pastes a mistyped ID first: explained inline, nothing sent
    await navigate(b, 'Add contact')
    const addForm = b.getByRole('region', { name: 'Add contact' })
    const idField = b.getByRole('textbox', { name: 'Contact ID' })
    await idField.fill(mistype(aliceId))
    await b.getByRole('textbox', { name: 'Name', exact: true }).fill('Alice')
    await addForm.getByRole('button', { name: 'Add contact' }).click()
    await b.locator('#add-id-error').waitFor()
    expect(await idField.getAttribute('aria-invalid')).toBe('true')
    expect(await idField.getAttribute('aria-describedby')).toBe('add-id-error')
    await shot(b, '03-add-contact-invalid-id')
    await idField.fill(aliceId.slice(0, -3))
    await addForm.getByRole('button', { name: 'Add contact' }).click()
    await b.locator('#add-id-error').waitFor()
    expect(await bob.host.contacts()).toEqual([])
    expect(await alice.host.requests()).toEqual([])

    await idField.fill('')
    await b.evaluate((text) => navigator.clipboard.writeText(text), copied)
    await idField.focus()
    await b.keyboard.press('Control+V')
    expect((await idField.inputValue()).trim()).toBe(aliceId)
    await addForm.getByRole('button', { name: 'Add contact' }).click()
    await b.getByRole('heading', { name: 'Alice', level: 2 }).waitFor()

    // Alice sees Bob's request and accepts it
    const request = a.getByRole('listitem', { name: 'Request from Bob' })
    await request.waitFor({ timeout: 45_000 })
    await shot(a, '04-contact-request')
    await request.getByRole('button', { name: 'Accept' }).click()
    await a.getByRole('heading', { name: 'Bob', level: 2 }).waitFor()

    await sendMessage(b, 'Hello Alice, it is Bob')
    await a.getByRole('region', { name: 'Bob' }).getByText('Hello Alice, it is Bob').waitFor({ timeout: 45_000 })
    await sendMessage(a, 'Hi Bob!\nTwo lines from Alice')
    await b.getByRole('region', { name: 'Alice' }).getByText('Two lines from Alice').waitFor({ timeout: 45_000 })
    // both conversations are open, so each side's message is read by the other
    await b.getByRole('region', { name: 'Alice' }).getByLabel('Read').first().waitFor({ timeout: 45_000 })
    await a.getByRole('region', { name: 'Bob' }).getByLabel('Read').first().waitFor({ timeout: 45_000 })

    // with Bob's conversation closed, a new message is delivered and unread, then read when he opens it
    await navigate(b, 'My ID')
    await sendMessage(a, 'Are you there?')
    const asked = a.getByRole('region', { name: 'Bob' }).getByRole('listitem').filter({ hasText: 'Are you there?' })
    await asked.getByLabel('Delivered').waitFor({ timeout: 45_000 })
    const bobsContacts = b.getByRole('region', { name: 'Contacts' })
    await bobsContacts.getByLabel('1 unread').waitFor()
    await shot(b, '06-bob-unread')
    await bobsContacts.getByRole('button', { name: /^Alice\b/ }).click()
    await asked.getByLabel('Read').waitFor({ timeout: 45_000 })
    await shot(a, '07-conversation-alice')
    await shot(b, '08-conversation-bob')

    // Bob restarts: wrong passphrase refused, right one brings the history back
    await bob.stop()
    await bob.open()
    await b.goto(bob.url)
    await b.getByRole('heading', { name: 'Unlock' }).waitFor()
    await b.getByLabel('Passphrase').fill('not the passphrase')
    await b.getByRole('button', { name: 'Unlock' }).click()
    const alert = b.getByRole('alert')
    await alert.waitFor()
    expect((await alert.textContent())?.toLowerCase()).toContain('passphrase')
    await shot(b, '09-unlock-wrong-passphrase')
    await b.getByLabel('Passphrase').fill(PASS)
    await b.getByRole('button', { name: 'Unlock' }).click()
    await b.getByRole('heading', { name: 'Contacts' }).waitFor()
    await b.getByRole('region', { name: 'Contacts' }).getByRole('button', { name: /^Alice\b/ }).click()
    const history = b.getByRole('region', { name: 'Alice' })
    await history.getByText('Hello Alice, it is Bob').waitFor()
    await history.getByText('Two lines from Alice').waitFor()

    // and the chat goes on after the restart
    await sendMessage(b, 'Back again')
    await a.getByRole('region', { name: 'Bob' }).getByText('Back again').waitFor({ timeout: 45_000 })
  }, 300_000)
})

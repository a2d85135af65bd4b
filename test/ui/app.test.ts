// @vitest-environment jsdom
import { fireEvent, within } from '@testing-library/dom'
import { afterEach, expect, test } from 'vitest'
import { FakeApi, fakeId } from '../helpers/fake-api'
import { mountComponent, useSvelteRunner, type Mounted } from '../helpers/mount'

const runner = useSvelteRunner()
let mounted: Mounted | undefined

afterEach(() => mounted?.unmount())

async function app(api: FakeApi) {
  mounted = await mountComponent(runner, '/src/App.svelte', { connect: async () => api.client() })
  await mounted.settle()
  return within(mounted.container)
}

async function fill(field: HTMLElement, value: string) {
  ;(field as HTMLInputElement).value = value
  await fireEvent.input(field)
}

test('first run: create an identity (checked fields, matching passphrases), then the main screen', async () => {
  const api = new FakeApi()
  const ui = await app(api)
  expect(ui.getByRole('heading', { name: 'Create your identity' })).toBeTruthy()
  await fill(ui.getByLabelText('Display name'), 'Ada')
  await fill(ui.getByLabelText('Passphrase'), 'correct horse battery')
  await fill(ui.getByLabelText('Confirm passphrase'), 'correct horse batterx')
  await fireEvent.click(ui.getByRole('button', { name: 'Create identity' }))
  await mounted!.settle()
  const confirm = ui.getByLabelText('Confirm passphrase')
  expect(confirm.getAttribute('aria-invalid')).toBe('true')
  expect(api.me).toBeNull()

  await fill(confirm, 'correct horse battery')
  await fireEvent.click(ui.getByRole('button', { name: 'Create identity' }))
  await mounted!.settle()
  expect(api.calls.find((c) => c.method === 'create')?.args).toEqual(['Ada', 'correct horse battery'])
  expect(ui.getByRole('heading', { name: 'Contacts' })).toBeTruthy()

  await fireEvent.click(ui.getByRole('button', { name: 'My ID' }))
  await mounted!.settle()
  expect(ui.getByLabelText('My contact ID').textContent).toBe(api.me!.id)
})

test('unlock: a wrong passphrase is explained and can be retried; locking returns to Unlock', async () => {
  const api = new FakeApi()
  await api.create('Ada', 'correct horse battery')
  api.unlocked = false
  const ui = await app(api)
  expect(ui.getByRole('heading', { name: 'Unlock' })).toBeTruthy()
  await fill(ui.getByLabelText('Passphrase'), 'wrong horse')
  await fireEvent.click(ui.getByRole('button', { name: 'Unlock' }))
  await mounted!.settle()
  expect(ui.getByRole('alert').textContent).toContain('passphrase is not right')
  expect((ui.getByLabelText('Passphrase') as HTMLInputElement).value).toBe('')

  await fill(ui.getByLabelText('Passphrase'), 'correct horse battery')
  await fireEvent.click(ui.getByRole('button', { name: 'Unlock' }))
  await mounted!.settle()
  expect(ui.getByRole('heading', { name: 'Contacts' })).toBeTruthy()

  await fireEvent.click(ui.getByRole('button', { name: 'Lock' }))
  await mounted!.settle()
  expect(ui.getByRole('heading', { name: 'Unlock' })).toBeTruthy()
})

test('contact requests: accept opens the conversation; decline and block remove the request', async () => {
  const api = new FakeApi()
  await api.create('Ada', 'correct horse battery')
  const ui = await app(api)
  expect(ui.queryByRole('heading', { name: 'Contact requests' })).toBeNull()
  for (const name of ['Grace', 'Spammer', 'Mallory']) {
    const request = { id: fakeId(name), name, receivedAt: Date.now() }
    api.pendingRequests.set(request.id, request)
    api.emit({ type: 'request', request })
  }
  await mounted!.settle()
  expect(ui.getByRole('heading', { name: 'Contact requests' })).toBeTruthy()
  const request = (name: string) => within(ui.getByRole('listitem', { name: `Request from ${name}` }))

  await fireEvent.click(request('Spammer').getByRole('button', { name: 'Decline' }))
  await fireEvent.click(request('Mallory').getByRole('button', { name: 'Block' }))
  await fireEvent.click(request('Grace').getByRole('button', { name: 'Accept' }))
  await mounted!.settle()
  expect(ui.queryByRole('heading', { name: 'Contact requests' })).toBeNull()
  expect([...api.contactsById.values()].map((c) => c.name)).toEqual(['Grace'])
  expect(ui.getByRole('heading', { name: 'Grace' })).toBeTruthy()
  expect(ui.getByLabelText('Message')).toBeTruthy()
})

test('the contact list shows unread counts and previews, newest activity first, and filters', async () => {
  const api = new FakeApi()
  await api.create('Ada', 'correct horse battery')
  await api.addContact(fakeId('Grace'), 'Grace')
  await api.addContact(fakeId('Alan'), 'Alan')
  const ui = await app(api)
  api.receive(fakeId('Alan'), 'older news', Date.now() + 1000)
  api.receive(fakeId('Grace'), 'latest news', Date.now() + 2000)
  api.receive(fakeId('Grace'), 'and more', Date.now() + 3000)
  await mounted!.settle()
  const contacts = within(ui.getByRole('list'))
  const names = contacts.getAllByRole('button').map((b) => b.textContent ?? '')
  expect(names[0]).toMatch(/Grace.*and more.*2/)
  expect(names[1]).toMatch(/Alan.*older news.*1/)
  expect(contacts.getByLabelText('2 unread')).toBeTruthy()
  expect(document.title).toBe('(3) Cairn')
  const live = mounted!.container.querySelector('[aria-live="polite"][aria-atomic="true"]')
  expect(live?.textContent).toBe('New message from Grace')

  await fill(ui.getByLabelText('Search contacts and messages'), 'ala')
  await mounted!.settle()
  expect(within(ui.getByRole('list')).getAllByRole('button').map((b) => b.textContent)).toEqual([expect.stringMatching(/Alan/)])
})

test('a contact can be renamed and, after confirming, removed', async () => {
  const api = new FakeApi()
  await api.create('Ada', 'correct horse battery')
  await api.addContact(fakeId('Grace'), 'Grace')
  const ui = await app(api)
  await fireEvent.click(ui.getByRole('button', { name: /Grace/ }))
  await mounted!.settle()
  await fireEvent.click(ui.getByRole('button', { name: 'Rename' }))
  await mounted!.settle()
  await fill(ui.getByLabelText('Contact name'), 'Grace Hopper')
  await fireEvent.click(ui.getByRole('button', { name: 'Save' }))
  await mounted!.settle()
  expect(ui.getByRole('heading', { name: 'Grace Hopper' })).toBeTruthy()
  expect(api.contactsById.get(fakeId('Grace'))?.name).toBe('Grace Hopper')
  expect(document.title).toBe('Cairn')

  await fireEvent.click(ui.getByRole('button', { name: 'Remove contact' }))
  await mounted!.settle()
  const dialog = ui.getByRole('dialog', { name: 'Remove Grace Hopper?', hidden: true })
  await fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel', hidden: true }))
  await mounted!.settle()
  expect(api.contactsById.size).toBe(1)
  // a wrong passphrase removes nothing and says why
  await fireEvent.click(ui.getByRole('button', { name: 'Remove contact' }))
  await mounted!.settle()
  await fill(within(dialog).getByLabelText('Your passphrase'), 'not it at all')
  await fireEvent.click(within(dialog).getByRole('button', { name: 'Yes, remove', hidden: true }))
  await mounted!.settle()
  expect(api.contactsById.size).toBe(1)
  expect(ui.getByText(/passphrase is not right/)).toBeTruthy()
  await fireEvent.click(ui.getByRole('button', { name: 'Remove contact' }))
  await mounted!.settle()
  await fill(within(dialog).getByLabelText('Your passphrase'), 'correct horse battery')
  await fireEvent.click(within(dialog).getByRole('button', { name: 'Yes, remove', hidden: true }))
  await mounted!.settle()
  expect(api.contactsById.size).toBe(0)
  expect(ui.queryByRole('heading', { name: 'Grace Hopper' })).toBeNull()
  expect(ui.getByText('No contacts yet.')).toBeTruthy()
})

test('network status: internet, LAN only and offline are shown, and an open conversation says when offline', async () => {
  const api = new FakeApi()
  await api.create('Ada', 'correct horse battery')
  await api.addContact(fakeId('Grace'), 'Grace')
  api.net = { mode: 'internet', peers: 2, contactsOnline: 1, lanDiscovery: true }
  const ui = await app(api)
  expect(ui.getByRole('status', { name: 'Network: Internet · 2 peers' })).toBeTruthy()
  await fireEvent.click(ui.getByRole('button', { name: /Grace/ }))
  api.emit({ type: 'network', status: { mode: 'lan', peers: 1, contactsOnline: 1, lanDiscovery: true } })
  await mounted!.settle()
  expect(ui.getByRole('status', { name: 'Network: LAN only · 1 peer' })).toBeTruthy()
  expect(ui.queryByText(/You are offline/)).toBeNull()
  api.emit({ type: 'network', status: { mode: 'offline', peers: 0, contactsOnline: 0, lanDiscovery: true } })
  await mounted!.settle()
  expect(ui.getByRole('status', { name: 'Network: Offline' })).toBeTruthy()
  expect(ui.getByText(/You are offline/)).toBeTruthy()
})

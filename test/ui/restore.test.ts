// @vitest-environment jsdom
import { fireEvent, within } from '@testing-library/dom'
import { afterEach, expect, test } from 'vitest'
import { FakeApi } from '../helpers/fake-api'
import { mountComponent, useSvelteRunner, type Mounted } from '../helpers/mount'

const runner = useSvelteRunner()
let mounted: Mounted | undefined

afterEach(() => mounted?.unmount())

async function fill(el: HTMLElement, value: string) {
  await fireEvent.input(el, { target: { value } })
}

/** A backup as the fake node exports it, and the ID it holds. */
async function backupOf(name: string, backupPass: string): Promise<{ text: string; id: string }> {
  const old = new FakeApi()
  const { id } = await old.create(name, 'old passphrase')
  return { text: await old.exportIdentity('old passphrase', backupPass), id }
}

async function restoreScreen(api: FakeApi) {
  mounted = await mountComponent(runner, '/src/App.svelte', { connect: async () => api.client() })
  await mounted.settle()
  const ui = within(mounted.container)
  await fireEvent.click(ui.getByRole('button', { name: 'Restore from backup' }))
  await mounted.settle()
  expect(ui.getByRole('heading', { name: 'Restore from backup' })).toBeTruthy()
  return ui
}

test('restore: every field is checked before the node is asked, and the errors are on their fields', async () => {
  const api = new FakeApi()
  const ui = await restoreScreen(api)
  expect(ui.getByText(/Contacts and messages are not in a backup/)).toBeTruthy()
  await fill(ui.getByLabelText('Passphrase'), 'short')
  await fireEvent.click(ui.getByRole('button', { name: 'Restore identity' }))
  await mounted!.settle()
  for (const label of ['Identity backup', 'Backup passphrase', 'Display name', 'Passphrase', 'Confirm passphrase']) {
    const field = ui.getByLabelText(label)
    expect(field.getAttribute('aria-invalid'), label).toBe('true')
    expect(document.getElementById(field.getAttribute('aria-describedby')!.split(' ').at(-1)!)?.textContent, label).toBeTruthy()
  }
  expect(api.calls.some((c) => c.method === 'restore')).toBe(false)

  await fireEvent.click(ui.getByRole('button', { name: 'Create a new identity instead' }))
  await mounted!.settle()
  expect(ui.getByRole('heading', { name: 'Create your identity' })).toBeTruthy()
})

test('restore: a wrong backup passphrase and a damaged text are explained inline; then the same ID is restored', async () => {
  const { text, id } = await backupOf('Ada', 'backup words')
  const api = new FakeApi()
  const ui = await restoreScreen(api)
  await fill(ui.getByLabelText('Identity backup'), text.slice(0, 20) + '%' + text.slice(21))
  await fill(ui.getByLabelText('Backup passphrase'), 'backup words')
  await fill(ui.getByLabelText('Display name'), 'Ada')
  await fill(ui.getByLabelText('Passphrase'), 'a new device passphrase')
  await fill(ui.getByLabelText('Confirm passphrase'), 'a new device passphrase')
  await fireEvent.click(ui.getByRole('button', { name: 'Restore identity' }))
  await mounted!.settle()
  const backupField = ui.getByLabelText('Identity backup')
  expect(backupField.getAttribute('aria-invalid')).toBe('true')
  expect(document.getElementById(backupField.getAttribute('aria-describedby')!)?.textContent).toMatch(/damaged/)

  await fill(backupField, text)
  await fill(ui.getByLabelText('Backup passphrase'), 'not the words')
  await fireEvent.click(ui.getByRole('button', { name: 'Restore identity' }))
  await mounted!.settle()
  const passField = ui.getByLabelText('Backup passphrase')
  expect(passField.getAttribute('aria-invalid')).toBe('true')
  expect(document.getElementById(passField.getAttribute('aria-describedby')!)?.textContent).toMatch(/does not open the backup/)
  expect(backupField.getAttribute('aria-invalid')).toBeNull()
  expect(api.me).toBeNull()

  await fill(passField, 'backup words')
  await fireEvent.click(ui.getByRole('button', { name: 'Restore identity' }))
  await mounted!.settle()
  expect(api.calls.filter((c) => c.method === 'restore').at(-1)?.args).toEqual([text, 'backup words', 'Ada', 'a new device passphrase'])
  expect(api.me).toEqual({ id, name: 'Ada' })
  expect(ui.getByRole('heading', { name: 'Contacts' })).toBeTruthy()
})

test('restore: the backup can be opened from a file', async () => {
  const { text, id } = await backupOf('Grace', 'file words')
  const api = new FakeApi()
  const ui = await restoreScreen(api)
  const picker = ui.getByLabelText('Open backup file') as HTMLInputElement
  // jsdom's File has no text(); the picked file is what a browser's would offer.
  const file = { name: 'cairn-identity-backup.txt', size: text.length + 1, text: async () => `${text}\n` }
  Object.defineProperty(picker, 'files', { configurable: true, value: [file] })
  await fireEvent.change(picker)
  await mounted!.settle()
  expect((ui.getByLabelText('Identity backup') as HTMLTextAreaElement).value).toBe(text)
  await fill(ui.getByLabelText('Backup passphrase'), 'file words')
  await fill(ui.getByLabelText('Display name'), 'Grace')
  await fill(ui.getByLabelText('Passphrase'), 'another passphrase')
  await fill(ui.getByLabelText('Confirm passphrase'), 'another passphrase')
  await fireEvent.click(ui.getByRole('button', { name: 'Restore identity' }))
  await mounted!.settle()
  expect(api.me?.id).toBe(id)
})

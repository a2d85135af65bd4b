// @vitest-environment jsdom
import { fireEvent, within } from '@testing-library/dom'
import { afterEach, beforeEach, expect, test } from 'vitest'
import type { Session } from '../../renderer/src/lib/session.svelte'
import { FakeApi } from '../helpers/fake-api'
import { mountComponent, useSvelteRunner, type Mounted } from '../helpers/mount'

const runner = useSvelteRunner()
let mounted: Mounted | undefined
let api: FakeApi
let ui: ReturnType<typeof within>

afterEach(() => mounted?.unmount())

beforeEach(async () => {
  api = new FakeApi()
  await api.create('Ada', 'correct horse battery')
  const { Session } = await runner.load<{ Session: new (api: FakeApi) => Session }>('/src/lib/session.svelte.ts')
  const session = new Session(api)
  await session.load()
  mounted = await mountComponent(runner, '/src/components/Settings.svelte', { session })
  await mounted.settle()
  ui = within(mounted.container)
})

async function fill(label: string, value: string) {
  const field = ui.getByLabelText(label) as HTMLInputElement
  field.value = value
  await fireEvent.input(field)
}

test('change passphrase: a wrong current one is refused and nothing changes; the right one works', async () => {
  await fill('Current passphrase', 'not it at all')
  await fill('New passphrase', 'a brand new passphrase')
  await fill('Confirm new passphrase', 'a brand new passphrase')
  await fireEvent.click(ui.getByRole('button', { name: 'Change passphrase' }))
  await mounted!.settle()
  expect(ui.getByText(/passphrase is not right/)).toBeTruthy()
  expect(api.passphrase).toBe('correct horse battery')

  await fill('Confirm new passphrase', 'a brand new passphrasf')
  await fill('Current passphrase', 'correct horse battery')
  await fireEvent.click(ui.getByRole('button', { name: 'Change passphrase' }))
  await mounted!.settle()
  expect(ui.getByText('The new passphrases do not match.')).toBeTruthy()
  expect(api.passphrase).toBe('correct horse battery')

  await fill('Confirm new passphrase', 'a brand new passphrase')
  await fireEvent.click(ui.getByRole('button', { name: 'Change passphrase' }))
  await mounted!.settle()
  expect(ui.getByText('Passphrase changed.')).toBeTruthy()
  expect(api.passphrase).toBe('a brand new passphrase')
})

test('export needs the profile passphrase: a wrong one is refused and nothing is shown', async () => {
  await fill('Profile passphrase', 'not it at all')
  await fill('Backup passphrase', 'backup secret words')
  await fill('Confirm backup passphrase', 'backup secret words')
  await fireEvent.click(ui.getByRole('button', { name: 'Export identity' }))
  await mounted!.settle()
  expect(ui.getByText(/passphrase is not right/)).toBeTruthy()
  expect(ui.queryByLabelText('Identity backup')).toBeNull()
  expect(mounted!.container.textContent).not.toContain('cairn-backup')
})

test('export shows the sealed backup as text to copy; LAN discovery and the name are saved', async () => {
  await fill('Profile passphrase', 'correct horse battery')
  await fill('Backup passphrase', 'backup secret words')
  await fill('Confirm backup passphrase', 'backup secret words')
  await fireEvent.click(ui.getByRole('button', { name: 'Export identity' }))
  await mounted!.settle()
  expect((ui.getByLabelText('Identity backup') as HTMLTextAreaElement).value).toMatch(/^cairn-backup-v1:/)

  const lan = ui.getByLabelText('LAN discovery') as HTMLInputElement
  expect(lan.checked).toBe(true)
  await fireEvent.click(lan)
  await mounted!.settle()
  expect(api.net.lanDiscovery).toBe(false)

  await fill('Display name', 'Ada L.')
  await fireEvent.click(ui.getByRole('button', { name: 'Save name' }))
  await mounted!.settle()
  expect(api.me?.name).toBe('Ada L.')
})

test('the auto-download size shows the node\'s and saves a new one in bytes; a bad one is refused', async () => {
  await mounted!.settle()
  const field = ui.getByLabelText(/Download images and voice notes by themselves/) as HTMLInputElement
  expect(field.value).toBe('8')
  await fill('Download images and voice notes by themselves up to (MB)', '2.5')
  await fireEvent.click(ui.getByRole('button', { name: 'Save download size' }))
  await mounted!.settle()
  expect(api.autoDownloadBytes).toBe(Math.round(2.5 * 1024 * 1024))
  // the field's own limits hold back a negative size; an empty one is refused with a reason
  for (const bad of ['-1', '']) {
    await fill('Download images and voice notes by themselves up to (MB)', bad)
    await fireEvent.click(ui.getByRole('button', { name: 'Save download size' }))
    await mounted!.settle()
  }
  expect(ui.getByText('Enter a size from 0 to 2048 MB.')).toBeTruthy()
  expect(api.autoDownloadBytes).toBe(Math.round(2.5 * 1024 * 1024))
})

test('the backup passphrase must be typed twice alike before anything is exported', async () => {
  const exported = () => ui.queryByLabelText('Identity backup')
  await fill('Profile passphrase', 'correct horse battery')
  await fill('Backup passphrase', 'backup secret words')
  await fill('Confirm backup passphrase', 'backup secret wordz')
  await fireEvent.click(ui.getByRole('button', { name: 'Export identity' }))
  await mounted!.settle()
  expect(ui.getByText('The backup passphrases do not match.')).toBeTruthy()
  expect(exported()).toBeNull()

  await fill('Confirm backup passphrase', 'backup secret words')
  await fireEvent.click(ui.getByRole('button', { name: 'Export identity' }))
  await mounted!.settle()
  expect(exported()).not.toBeNull()
})

test('the Hidden switch shows the saved setting and saves a change', async () => {
  const hidden = ui.getByLabelText('Hidden') as HTMLInputElement
  expect(hidden.checked).toBe(false)
  await fireEvent.click(hidden)
  await mounted!.settle()
  expect(api.hidden).toBe(true)
  expect((await api.settings()).hidden).toBe(true)
  await fireEvent.click(hidden)
  await mounted!.settle()
  expect(api.hidden).toBe(false)
})

test('home node: a refused code says why; a good one links and shows the status; unlink forgets it', async () => {
  await fill('Pairing code', 'forged-code')
  await fireEvent.click(ui.getByRole('button', { name: 'Link home node' }))
  await mounted!.settle()
  expect(ui.getByText(/not one this home node issued/)).toBeTruthy()
  expect(api.home.linked).toBe(false)

  await fill('Pairing code', 'good-code')
  await fireEvent.click(ui.getByRole('button', { name: 'Link home node' }))
  await mounted!.settle()
  const status = ui.getByLabelText('Home node status')
  expect(within(status).getByText('Online')).toBeTruthy()
  expect(within(status).getByText('2.0 KB of 1.0 GB, 2 logs')).toBeTruthy()

  await fireEvent.click(ui.getByRole('button', { name: 'Unlink home node' }))
  await mounted!.settle()
  expect(api.home.linked).toBe(false)
  expect(ui.getByText(/forgot this profile/)).toBeTruthy()
  expect(ui.getByLabelText('Pairing code')).toBeTruthy()
})

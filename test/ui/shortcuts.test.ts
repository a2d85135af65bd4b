// @vitest-environment jsdom
import { fireEvent, within } from '@testing-library/dom'
import { afterEach, expect, test } from 'vitest'
import { shortcutFor, stepContact } from '../../renderer/src/lib/shortcuts'
import { FakeApi, fakeId } from '../helpers/fake-api'
import { mountComponent, useSvelteRunner, type Mounted } from '../helpers/mount'

const runner = useSvelteRunner()
let mounted: Mounted | undefined

afterEach(() => mounted?.unmount())

const key = (k: string, mods: Partial<Record<'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey' | 'isComposing', boolean>> = {}) => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  isComposing: false,
  ...mods
})

test('shortcuts need a modifier (but Esc), so typing a message never triggers one', () => {
  expect(shortcutFor(key('ArrowDown', { altKey: true }))).toBe('next-chat')
  expect(shortcutFor(key('ArrowUp', { altKey: true }))).toBe('previous-chat')
  expect(shortcutFor(key('ArrowDown', { altKey: true, shiftKey: true }))).toBe('next-unread')
  expect(shortcutFor(key('k', { ctrlKey: true }))).toBe('find')
  expect(shortcutFor(key('K', { metaKey: true }))).toBe('find')
  expect(shortcutFor(key('/', { ctrlKey: true }))).toBe('help')
  expect(shortcutFor(key('Escape'))).toBe('close')
  for (const plain of ['k', '/', 'ArrowDown', '?', 'Enter']) expect(shortcutFor(key(plain))).toBeNull()
  expect(shortcutFor(key('ArrowDown', { altKey: true, isComposing: true }))).toBeNull()
  expect(stepContact(['a', 'b', 'c'], 'c', 1)).toBe('a')
  expect(stepContact(['a', 'b', 'c'], 'a', -1)).toBe('c')
  expect(stepContact(['a', 'b', 'c'], null, 1)).toBe('a')
  expect(stepContact([], null, 1)).toBeNull()
})

// The whole app mounted in jsdom: 6.5 s idle, over 60 s once on a loaded 2-core CI run.
test('in the app: switch conversation, jump to unread, find, help, and Esc closes a panel', async () => {
  const api = new FakeApi()
  await api.create('Ada', 'correct horse battery')
  const [grace, alan, linus] = ['Grace', 'Alan', 'Linus'].map(fakeId)
  await api.addContact(grace, 'Grace')
  await api.addContact(alan, 'Alan')
  await api.addContact(linus, 'Linus')
  api.receive(grace, 'newest', Date.now() + 3_000)
  mounted = await mountComponent(runner, '/src/App.svelte', { connect: async () => api.client() })
  await mounted.settle()
  const ui = within(mounted.container)
  const press = async (k: string, mods: Parameters<typeof key>[1] = {}) => {
    fireEvent.keyDown(document.body, key(k, mods))
    await mounted!.settle()
  }
  const open = () => mounted!.container.querySelector('section.conversation')?.getAttribute('aria-label')

  await press('ArrowDown', { altKey: true })
  expect(open()).toBe('Grace')
  await press('ArrowDown', { altKey: true })
  expect(open()).not.toBe('Grace')
  const second = open()
  await press('ArrowUp', { altKey: true })
  expect(open()).toBe('Grace')
  await press('ArrowUp', { altKey: true })
  expect(open()).not.toBe(second)

  api.receive(alan, 'psst')
  await mounted.settle()
  await press('ArrowDown', { altKey: true, shiftKey: true })
  expect(open()).toBe('Alan')

  await press('k', { ctrlKey: true })
  expect(document.activeElement).toBe(ui.getByLabelText('Search contacts and messages'))

  await press('/', { ctrlKey: true })
  const help = ui.getByRole('dialog', { name: 'Keyboard shortcuts' }) as HTMLDialogElement
  expect(help.open).toBe(true)
  expect(within(help).getByText('Next conversation with unread messages')).toBeTruthy()
  await fireEvent.click(within(help).getByRole('button', { name: 'Close' }))
  await mounted.settle()
  expect(help.open).toBe(false)

  await fireEvent.click(ui.getByRole('button', { name: 'Settings' }))
  await mounted.settle()
  expect(ui.getByRole('heading', { name: 'Settings' })).toBeTruthy()
  await press('Escape')
  expect(ui.queryByRole('heading', { name: 'Settings' })).toBeNull()
}, 180_000)

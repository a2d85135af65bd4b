// @vitest-environment jsdom
import { fireEvent, within } from '@testing-library/dom'
import { afterEach, beforeAll, beforeEach, expect, test } from 'vitest'
import type { Contact, ContactId } from '../../core/api/types'
import type { Session } from '../../renderer/src/lib/session.svelte'
import { FakeApi, fakeId } from '../helpers/fake-api'
import { emulateScrollers, mountComponent, useSvelteRunner, type Mounted } from '../helpers/mount'

const VIEWPORT = 600
const COUNT = 10_000

const runner = useSvelteRunner()
let mounted: Mounted | undefined
let api: FakeApi
let session: Session
let grace: ContactId

beforeAll(() => emulateScrollers('scroller', VIEWPORT))
afterEach(() => {
  mounted?.unmount()
  session.dispose()
})

beforeEach(async () => {
  api = new FakeApi()
  await api.create('Ada', 'correct horse battery')
  grace = (await api.addContact(fakeId('Grace'), 'Grace')).id
  const start = new Date(2026, 0, 1, 9).getTime()
  for (let i = 0; i < COUNT; i++) {
    const at = start + i * 20 * 60_000
    const out = i % 2 === 1
    api.append({ id: `m-${i}`, contact: grace, direction: out ? 'out' : 'in', text: `message ${i}`, sentAt: at, receivedAt: at, state: out ? 'read' : 'read' })
  }
  const { Session } = await runner.load<{ Session: new (api: FakeApi) => Session }>('/src/lib/session.svelte.ts')
  session = new Session(api)
  api.listeners.add((e) => session.apply(e))
  await session.load()
})

async function open(contact: Contact = session.contact(grace)!) {
  mounted = await mountComponent(runner, '/src/components/Conversation.svelte', { session, contact })
  await mounted.settle()
  const ui = within(mounted.container)
  const list = ui.getByRole('list', { name: 'Conversation with Grace' })
  return { ui, list }
}

function texts(list: HTMLElement): string[] {
  return [...list.querySelectorAll('[role=listitem] p')].map((p) => p.textContent ?? '')
}

test('a 10,000-message history renders only a window of rows, starting at the newest', async () => {
  const { list } = await open()
  const rows = within(list).getAllByRole('listitem')
  expect(rows.length).toBeGreaterThan(5)
  expect(rows.length).toBeLessThan(60)
  expect(texts(list)).toContain(`message ${COUNT - 1}`)
  expect(texts(list)).not.toContain('message 0')
  // Only the newest page was fetched.
  expect(api.calls.filter((c) => c.method === 'history')).toHaveLength(1)
})

test('scrolling to the top pages in older history and keeps the reader in place', async () => {
  const { list } = await open()
  list.scrollTop = 0
  await fireEvent.scroll(list)
  await mounted!.settle()
  const history = api.calls.filter((c) => c.method === 'history')
  expect(history).toHaveLength(2)
  expect(history[1].args[1]).toMatchObject({ before: expect.any(String) })
  // The oldest row of the first page is still where the reader left it; older ones went in above.
  expect(texts(list)).toContain(`message ${COUNT - 100}`)
  expect(texts(list)).not.toContain(`message ${COUNT - 400}`)
  expect(list.scrollTop).toBeGreaterThan(0)
  expect(within(list).getAllByRole('listitem').length).toBeLessThan(60)

  // A new message does not yank the reader away from older history; "Jump to newest" takes them there.
  api.receive(grace, 'brand new')
  await mounted!.settle()
  expect(texts(list)).not.toContain('brand new')
  await fireEvent.click(within(mounted!.container).getByRole('button', { name: /Jump to newest/ }))
  await mounted!.settle()
  expect(texts(list)).toContain('brand new')
  expect(within(mounted!.container).queryByRole('button', { name: /Jump to newest/ })).toBeNull()
})

test('a new message while reading the end scrolls it into view', async () => {
  const { list } = await open()
  api.receive(grace, 'just arrived')
  await mounted!.settle()
  expect(texts(list)).toContain('just arrived')
  expect(list.scrollTop + VIEWPORT).toBe(list.scrollHeight)
})

test('messages are grouped under day separators, own and theirs apart', async () => {
  const { list } = await open()
  const days = [...list.querySelectorAll('.day')].map((d) => d.textContent)
  expect(days.length).toBeGreaterThan(0)
  expect(list.querySelectorAll('.msg.out').length).toBeGreaterThan(0)
  expect(list.querySelectorAll('.msg.in').length).toBeGreaterThan(0)
})

test('a sent message goes pending → delivered → read, and never back', async () => {
  const { ui, list } = await open()
  const box = ui.getByLabelText('Message') as HTMLTextAreaElement
  box.value = 'see you at https://example.org/x'
  await fireEvent.input(box)
  fireEvent.keyDown(box, { key: 'Enter' })
  await mounted!.settle()
  const sent = api.calls.find((c) => c.method === 'send')!
  expect(sent.args).toEqual([grace, 'see you at https://example.org/x'])
  const id = [...api.logs.get(grace)!].at(-1)!.id
  const state = () => within(list).getByText('see you at', { exact: false }).closest('.bubble')!.querySelector('.state')!
  expect(state().getAttribute('aria-label')).toBe('Pending')
  api.emit({ type: 'message-state', contact: grace, id, state: 'delivered' })
  await mounted!.settle()
  expect(state().getAttribute('aria-label')).toBe('Delivered')
  api.emit({ type: 'message-state', contact: grace, id, state: 'read' })
  api.emit({ type: 'message-state', contact: grace, id, state: 'sent' })
  await mounted!.settle()
  expect(state().getAttribute('aria-label')).toBe('Read')
  expect(state().textContent).toBe('Read')
})

test('links are not followed: a click asks first, and only "Open link" opens it', async () => {
  const opened: string[] = []
  window.open = ((url: string) => {
    opened.push(url)
    return null
  }) as typeof window.open
  api.receive(grace, 'look: https://example.org/trail')
  const { ui, list } = await open()
  const link = within(list).getByRole('link', { name: 'https://example.org/trail' })
  const notCancelled = fireEvent.click(link)
  await mounted!.settle()
  expect(notCancelled).toBe(false)
  const dialog = ui.getByRole('dialog', { name: 'Open this link?', hidden: true }) as HTMLDialogElement
  expect(dialog.open).toBe(true)
  await fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel', hidden: true }))
  await mounted!.settle()
  expect(opened).toEqual([])
  fireEvent.click(link)
  await mounted!.settle()
  await fireEvent.click(within(dialog).getByRole('button', { name: 'Open link', hidden: true }))
  expect(opened).toEqual(['https://example.org/trail'])
})

test('typing, catch-up progress and security warnings appear for this contact only', async () => {
  const { ui } = await open()
  api.emit({ type: 'typing', contact: grace, typing: true })
  api.emit({ type: 'typing', contact: fakeId('Someone else'), typing: true })
  api.emit({ type: 'sync', progress: { contact: grace, done: 3, total: 10 } })
  api.emit({ type: 'security', event: { contact: grace, kind: 'log-fork', detail: 'block 7 differs', at: 1 } })
  api.emit({ type: 'security', event: { contact: fakeId('Someone else'), kind: 'log-invalid', detail: 'x', at: 2 } })
  await mounted!.settle()
  expect(ui.getByText('Grace is typing…')).toBeTruthy()
  const progress = ui.getByRole('progressbar') as HTMLProgressElement
  expect([progress.value, progress.max]).toEqual([3, 10])
  const alerts = ui.getAllByRole('alert')
  expect(alerts).toHaveLength(1)
  expect(alerts[0].textContent).toContain('rewrote their message log')
  api.emit({ type: 'sync', progress: { contact: grace, done: 10, total: 10 } })
  api.emit({ type: 'typing', contact: grace, typing: false })
  await fireEvent.click(ui.getByRole('button', { name: 'Dismiss' }))
  await mounted!.settle()
  expect(ui.queryByRole('progressbar')).toBeNull()
  expect(ui.queryByText('Grace is typing…')).toBeNull()
  expect(ui.queryByRole('alert')).toBeNull()
})

test('opening a conversation with unread messages marks it read', async () => {
  api.receive(grace, 'unread one')
  await session.load()
  expect(session.contact(grace)!.unread).toBe(1)
  const { list } = await open()
  expect(api.calls.some((c) => c.method === 'markRead' && c.args[0] === grace)).toBe(true)
  expect(within(list).getByText('1 new message')).toBeTruthy()
})

test('a message can be deleted from its bubble, and the whole conversation cleared after confirming', async () => {
  const { ui, list } = await open()
  const newest = `message ${COUNT - 1}`
  expect(texts(list)).toContain(newest)
  const row = within(list).getAllByRole('listitem').find((r) => r.textContent?.includes(newest))!
  await fireEvent.click(within(row).getByRole('button', { name: 'Delete this message' }))
  await mounted!.settle()
  expect(api.calls.filter((c) => c.method === 'deleteMessage')).toEqual([{ method: 'deleteMessage', args: [grace, `m-${COUNT - 1}`] }])
  expect(texts(list)).not.toContain(newest)
  expect(texts(list)).toContain(`message ${COUNT - 2}`)

  await fireEvent.click(ui.getByRole('button', { name: 'Clear conversation' }))
  await mounted!.settle()
  expect(api.calls.some((c) => c.method === 'clearConversation')).toBe(false)
  const dialog = ui.getByRole('dialog', { name: /^Clear your conversation/, hidden: true })
  const field = within(dialog).getByLabelText('Your passphrase') as HTMLInputElement
  field.value = 'correct horse battery'
  await fireEvent.input(field)
  await fireEvent.click(ui.getByRole('button', { name: 'Yes, delete all messages' }))
  await mounted!.settle()
  expect(api.calls.filter((c) => c.method === 'clearConversation')).toHaveLength(1)
  expect(ui.getByText(/This is the start of your conversation with Grace/)).toBeTruthy()
})

test('deleting the message being replied to or edited drops the reply or the edit from the composer', async () => {
  const { list } = await open()
  const rowOf = (text: string) => within(list).getAllByRole('listitem').find((r) => r.textContent?.includes(text))!
  const composer = () => within(mounted!.container).queryByText(/Replying to|Editing your message/)

  await fireEvent.click(within(rowOf(`message ${COUNT - 2}`)).getByRole('button', { name: 'Reply' }))
  await mounted!.settle()
  expect(composer()?.textContent).toContain('Replying to')
  await fireEvent.click(within(rowOf(`message ${COUNT - 2}`)).getByRole('button', { name: 'Delete this message' }))
  await mounted!.settle()
  expect(composer()).toBeNull()

  await fireEvent.click(within(rowOf(`message ${COUNT - 1}`)).getByRole('button', { name: 'Edit' }))
  await mounted!.settle()
  expect(composer()?.textContent).toContain('Editing your message')
  await fireEvent.click(within(rowOf(`message ${COUNT - 1}`)).getByRole('button', { name: 'Delete this message' }))
  await mounted!.settle()
  expect(composer()).toBeNull()
})

test('a file is forwarded to the contact chosen in the Forward dialog', async () => {
  const lin = (await api.addContact(fakeId('Lin'), 'Lin')).id
  await session.load()
  const at = Date.now()
  const file = { id: 'f1', name: 'plan.pdf', size: 1200, mediaType: 'application/pdf', preview: null, width: null, height: null, state: 'ready' as const }
  api.append({ id: 'm-file', contact: grace, direction: 'in', text: '', sentAt: at, receivedAt: at, state: 'read', file })
  const { ui } = await open()
  await fireEvent.click(ui.getByRole('button', { name: 'Forward plan.pdf' }))
  await mounted!.settle()
  const dialog = ui.getByRole('dialog', { name: 'Forward plan.pdf', hidden: true })
  expect((within(dialog).getByLabelText('To', { selector: 'select' }) as HTMLSelectElement).value).toBe(lin)
  await fireEvent.click(within(dialog).getByRole('button', { name: 'Forward', hidden: true }))
  await mounted!.settle()
  expect(api.calls.filter((c) => c.method === 'forwardFile').map((c) => c.args)).toEqual([[grace, 'm-file', lin]])
  expect(api.logs.get(lin)?.at(-1)?.file).toMatchObject({ name: 'plan.pdf', state: 'ready' })
})

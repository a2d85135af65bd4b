// @vitest-environment jsdom
import { fireEvent, within } from '@testing-library/dom'
import { afterEach, beforeEach, expect, test } from 'vitest'
import type { ContactId } from '../../core/api/types'
import type { Session } from '../../renderer/src/lib/session.svelte'
import { FakeApi, fakeId } from '../helpers/fake-api'
import { mountComponent, useSvelteRunner, type Mounted } from '../helpers/mount'

const runner = useSvelteRunner()
let mounted: Mounted | undefined
let api: FakeApi
let added: ContactId[]
let session: Session

afterEach(() => mounted?.unmount())

beforeEach(async () => {
  api = new FakeApi()
  await api.create('Ada', 'correct horse battery')
  const { Session } = await runner.load<{ Session: new (api: FakeApi) => Session }>('/src/lib/session.svelte.ts')
  session = new Session(api)
  await session.load()
  added = []
  mounted = await mountComponent(runner, '/src/components/AddContact.svelte', { session, onadded: (id: ContactId) => added.push(id) })
})

async function submit(idText: string, name: string) {
  const ui = within(mounted!.container)
  const idField = ui.getByLabelText('Contact ID') as HTMLTextAreaElement
  idField.value = idText
  await fireEvent.input(idField)
  const nameField = ui.getByLabelText('Name') as HTMLInputElement
  nameField.value = name
  await fireEvent.input(nameField)
  await fireEvent.click(ui.getByRole('button', { name: 'Add contact' }))
  await mounted!.settle()
  return { ui, idField }
}

function describedBy(el: HTMLElement): string {
  return (el.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .map((id) => document.getElementById(id)?.textContent ?? '')
    .join(' ')
}

test("an invalid ID shows the core's explanation inline, tied to the field, and adds nothing", async () => {
  const good = fakeId('Grace')
  const typo = good.slice(0, 20) + (good[20] === 'y' ? 'b' : 'y') + good.slice(21)
  const { idField } = await submit(typo, 'Grace')
  expect(idField.getAttribute('aria-invalid')).toBe('true')
  expect(describedBy(idField)).toContain('checksum does not match')
  expect(api.contactsById.size).toBe(0)
  expect(added).toEqual([])
  expect(document.activeElement).toBe(idField)

  const short = await submit(good.slice(0, 40), 'Grace')
  expect(describedBy(short.idField)).toContain('too short: 40 characters')
})

test('editing the ID clears the error; a valid ID adds the contact', async () => {
  const { idField } = await submit('not an id!', 'Grace')
  expect(describedBy(idField)).toMatch(/cannot occur in an ID/)
  idField.value = fakeId('Grace')
  await fireEvent.input(idField)
  await mounted!.settle()
  expect(idField.getAttribute('aria-invalid')).toBeNull()
  await submit(fakeId('Grace'), 'Grace')
  expect(added).toEqual([fakeId('Grace')])
  expect(api.contactsById.get(fakeId('Grace'))?.name).toBe('Grace')
})

test('my own ID is refused at its field; a missing name is caught before calling the core', async () => {
  const own = await submit(api.me!.id, 'Me')
  expect(describedBy(own.idField)).toContain('your own contact ID')
  const calls = api.calls.filter((c) => c.method === 'addContact').length
  const { ui } = await submit(fakeId('Grace'), '  ')
  expect(describedBy(ui.getByLabelText('Name'))).toContain('Give this contact a name')
  expect(api.calls.filter((c) => c.method === 'addContact').length).toBe(calls)
})

test('pasted QR text is accepted and its name suggested', async () => {
  const ui = within(mounted!.container)
  const idField = ui.getByLabelText('Contact ID') as HTMLTextAreaElement
  idField.value = `cairn:${fakeId('Grace')}?name=Grace%20H`
  await fireEvent.input(idField)
  await fireEvent.paste(idField)
  await mounted!.settle()
  expect((ui.getByLabelText('Name') as HTMLInputElement).value).toBe('Grace H')
  await fireEvent.click(ui.getByRole('button', { name: 'Add contact' }))
  await mounted!.settle()
  expect(added).toEqual([fakeId('Grace')])
})

test('an ID typed in capitals is lowercased and added', async () => {
  const grace = fakeId('Grace')
  await submit(grace.toUpperCase(), 'Grace')
  expect([...api.contactsById.keys()]).toEqual([grace])
  expect(added).toEqual([grace])
})

test('an ID already among the contacts is not added again under another name: it says so and offers the chat', async () => {
  const grace = fakeId('Grace')
  session.apply({ type: 'contact', contact: await api.addContact(grace, 'Grace') })
  const { ui } = await submit(grace, 'Gracie')
  expect(ui.getByRole('status').textContent).toContain('already in your contacts as “Grace”')
  expect(api.contactsById.get(grace)?.name).toBe('Grace')
  expect(added).toEqual([])
  await fireEvent.click(ui.getByRole('button', { name: 'Open conversation with Grace' }))
  expect(added).toEqual([grace])
})

test('an invite code is sent as one; Create invite shows a code to copy', async () => {
  await submit(`cairn-invite:${fakeId('Grace')}`, 'Grace')
  expect(api.calls.filter((c) => c.method === 'acceptInvite')).toHaveLength(1)
  expect(added).toEqual([fakeId('Grace')])

  const ui = within(mounted!.container)
  await fireEvent.click(ui.getByRole('button', { name: 'Create invite' }))
  await mounted!.settle()
  expect((ui.getByLabelText('One-time invite') as HTMLTextAreaElement).value).toBe(`cairn-invite:${api.me!.id}`)
})

// @vitest-environment jsdom
import { fireEvent, within } from '@testing-library/dom'
import { afterEach, expect, test } from 'vitest'
import type { ApiClient } from '../../core/api/client'
import { CairnError } from '../../core/api/errors'
import { FakeApi, fakeId } from '../helpers/fake-api'
import { mountComponent, useSvelteRunner, type Mounted } from '../helpers/mount'

const PASS = 'correct horse battery'
const DISCONNECTED = 'Disconnected from Cairn — reconnecting…'

const runner = useSvelteRunner()
let mounted: Mounted | undefined

afterEach(() => mounted?.unmount())

/** The app over a transport whose later connections follow `next` (absent: the fake connects). */
async function app(api: FakeApi, next?: (signal: AbortSignal) => Promise<ApiClient>, props: Record<string, unknown> = {}) {
  let calls = 0
  const connect = (signal: AbortSignal) => {
    calls++
    return calls > 1 && next ? next(signal) : Promise.resolve(api.client())
  }
  mounted = await mountComponent(runner, '/src/App.svelte', { connect, ...props })
  await mounted.settle()
  return { ui: within(mounted.container), connects: () => calls }
}

/** Lets time pass (reconnection waits are real) until the condition holds. */
async function until(cond: () => boolean, ms = 4000): Promise<void> {
  const deadline = Date.now() + ms
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 20))
    await mounted!.settle()
  }
}

/** Inside an inert subtree (jsdom keeps `inert` as a property, a browser also as the attribute). */
function inert(el: HTMLElement): boolean {
  for (let at: HTMLElement | null = el; at; at = at.parentElement) if (at.inert || at.hasAttribute('inert')) return true
  return false
}

async function withGrace(): Promise<FakeApi> {
  const api = new FakeApi()
  await api.create('Ada', PASS)
  await api.addContact(fakeId('Grace'), 'Grace')
  return api
}

test('a dropped transport: an alert, an inert screen, then the same conversation with what was missed', async () => {
  const api = await withGrace()
  const { ui, connects } = await app(api)
  await fireEvent.click(ui.getByRole('button', { name: /^Grace/ }))
  await mounted!.settle()
  expect(ui.queryByRole('alert')).toBeNull()

  api.drop()
  await mounted!.settle()
  expect(ui.getByRole('alert').textContent).toContain(DISCONNECTED)
  expect(inert(ui.getByLabelText('Message'))).toBe(true)
  api.receive(fakeId('Grace'), 'sent while the page was away')

  await until(() => ui.queryByRole('alert') === null)
  expect(connects()).toBe(2)
  expect(inert(ui.getByLabelText('Message'))).toBe(false)
  expect(ui.getByRole('heading', { name: 'Grace' })).toBeTruthy()
  const conversation = within(ui.getByRole('region', { name: 'Grace' }))
  expect(conversation.getByText('sent while the page was away')).toBeTruthy()
  // events flow again on the new transport
  api.receive(fakeId('Grace'), 'after the reconnection')
  await mounted!.settle()
  expect(conversation.getByText('after the reconnection')).toBeTruthy()
})

test('a node that restarted locked: Unlock after reconnecting, then the app', async () => {
  const api = await withGrace()
  const { ui } = await app(api)
  api.drop()
  api.unlocked = false
  await until(() => ui.queryByRole('heading', { name: 'Unlock' }) !== null)
  expect(ui.queryByRole('alert')).toBeNull()
  ;(ui.getByLabelText('Passphrase') as HTMLInputElement).value = PASS
  await fireEvent.input(ui.getByLabelText('Passphrase'))
  await fireEvent.click(ui.getByRole('button', { name: 'Unlock' }))
  await mounted!.settle()
  expect(ui.getByRole('button', { name: /^Grace/ })).toBeTruthy()
})

test('a shell that refuses the page: said so, with Reload, and no more attempts', async () => {
  const api = await withGrace()
  const refusal = 'the Cairn shell refused this page: open the URL the shell printed'
  const { ui, connects } = await app(api, () => Promise.reject(new CairnError('unauthorized', refusal)))
  api.drop()
  await until(() => ui.queryByRole('button', { name: 'Reload' }) !== null)
  expect(ui.getByRole('alert').textContent).toContain('Disconnected from Cairn. The Cairn shell refused this page')
  const attempts = connects()
  await new Promise((r) => setTimeout(r, 700))
  expect(connects()).toBe(attempts)
})

test('while the shell is unreachable it keeps trying, and "Reconnect now" skips the wait', async () => {
  const api = await withGrace()
  let reachable = false
  const { ui, connects } = await app(api, () =>
    reachable ? Promise.resolve(api.client()) : Promise.reject(new CairnError('internal', 'not reachable'))
  )
  api.drop()
  await until(() => connects() >= 3)
  expect(ui.getByRole('alert').textContent).toContain(DISCONNECTED)
  reachable = true
  const before = connects()
  await fireEvent.click(ui.getByRole('button', { name: 'Reconnect now' }))
  expect(connects()).toBe(before + 1)
  await mounted!.settle()
  expect(ui.queryByRole('alert')).toBeNull()
})

test('an attempt that never answers (a stopped shell holding its port) is given up after its bound, and the next one gets in', async () => {
  const api = await withGrace()
  let hung = 0
  let abandoned = 0
  // The hung attempt holds a socket until it is told it was given up.
  const hang = (signal: AbortSignal) => new Promise<ApiClient>(() => signal.addEventListener('abort', () => abandoned++))
  const { ui, connects } = await app(api, (signal) => (hung++ === 0 ? hang(signal) : Promise.resolve(api.client())), {
    attemptTimeoutMs: 300
  })
  api.drop()
  await mounted!.settle()
  expect(ui.getByRole('alert').textContent).toContain(DISCONNECTED)
  await until(() => ui.queryByRole('alert') === null)
  expect(hung).toBe(2)
  expect(abandoned).toBe(1)
  expect(connects()).toBe(3)
  expect(ui.getByRole('button', { name: /^Grace/ })).toBeTruthy()
})

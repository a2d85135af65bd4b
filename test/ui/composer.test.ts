// @vitest-environment jsdom
import { fireEvent, within } from '@testing-library/dom'
import { afterEach, expect, test } from 'vitest'
import { mountComponent, useSvelteRunner, type Mounted } from '../helpers/mount'

const runner = useSvelteRunner()
let mounted: Mounted | undefined

afterEach(() => mounted?.unmount())

async function composer(onsend: (text: string) => Promise<void>, typing: boolean[] = []) {
  mounted = await mountComponent(runner, '/src/components/Composer.svelte', { onsend, ontyping: (t: boolean) => typing.push(t) })
  const ui = within(mounted.container)
  return { ui, box: ui.getByLabelText('Message') as HTMLTextAreaElement, send: ui.getByRole('button', { name: 'Send' }) }
}

async function type(box: HTMLTextAreaElement, text: string) {
  box.value = text
  await fireEvent.input(box)
  await mounted!.settle()
}

test('Enter sends the draft and clears it; the textarea is labelled "Message"', async () => {
  const sent: string[] = []
  const { box } = await composer(async (t) => void sent.push(t))
  await type(box, 'hello there')
  const notCancelled = fireEvent.keyDown(box, { key: 'Enter' })
  await mounted!.settle()
  expect(notCancelled).toBe(false)
  expect(sent).toEqual(['hello there'])
  expect(box.value).toBe('')
})

test('Shift+Enter and Enter during IME composition do not send', async () => {
  const sent: string[] = []
  const { box } = await composer(async (t) => void sent.push(t))
  await type(box, 'line one')
  expect(fireEvent.keyDown(box, { key: 'Enter', shiftKey: true })).toBe(true)
  expect(fireEvent.keyDown(box, { key: 'Enter', isComposing: true })).toBe(true)
  await mounted!.settle()
  expect(sent).toEqual([])
  await type(box, 'line one\nline two')
  expect(box.rows).toBe(2)
  fireEvent.keyDown(box, { key: 'Enter' })
  await mounted!.settle()
  expect(sent).toEqual(['line one\nline two'])
})

test('a blank draft is not sent and the Send button stays disabled', async () => {
  const sent: string[] = []
  const { box, send } = await composer(async (t) => void sent.push(t))
  await type(box, '  \n ')
  expect(send).toHaveProperty('disabled', true)
  fireEvent.keyDown(box, { key: 'Enter' })
  await mounted!.settle()
  expect(sent).toEqual([])
})

test('a failed send keeps the draft and says why', async () => {
  const { ui, box, send } = await composer(async () => {
    throw new Error('the profile is locked')
  })
  await type(box, 'keep me')
  await fireEvent.click(send)
  await mounted!.settle()
  expect(box.value).toBe('keep me')
  expect(ui.getByRole('alert').textContent).toContain('the profile is locked')
})

test('typing is announced once while keys keep coming, and withdrawn after sending', async () => {
  const typing: boolean[] = []
  const { box } = await composer(async () => {}, typing)
  await type(box, 'h')
  await type(box, 'he')
  await type(box, 'hey')
  expect(typing).toEqual([true])
  fireEvent.keyDown(box, { key: 'Enter' })
  await mounted!.settle()
  expect(typing).toEqual([true, false])
})

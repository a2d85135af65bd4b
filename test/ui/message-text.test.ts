// @vitest-environment jsdom
import { fireEvent, within } from '@testing-library/dom'
import { afterEach, expect, test } from 'vitest'
import { mountComponent, useSvelteRunner, type Mounted } from '../helpers/mount'

const runner = useSvelteRunner()
let mounted: Mounted | undefined

afterEach(() => mounted?.unmount())

async function show(text: string) {
  mounted = await mountComponent(runner, '/src/components/MessageText.svelte', { text, onlink: () => {} })
  return within(mounted.container)
}

test('a 60 KB message is shown folded, and "Read more" shows all of it', async () => {
  const text = 'word '.repeat(12_000) + 'THE END'
  const ui = await show(text)
  const p = mounted!.container.querySelector('p')!
  expect(p.textContent!.length).toBeLessThan(2_100)
  expect(p.textContent).not.toContain('THE END')
  await fireEvent.click(ui.getByRole('button', { name: 'Read more' }))
  await mounted!.settle()
  expect(p.textContent).toBe(text)
  expect(ui.queryByRole('button', { name: 'Read more' })).toBeNull()
})

test('many short lines fold too; a short message has no "Read more"', async () => {
  const lines = Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n')
  const ui = await show(lines)
  expect(mounted!.container.querySelector('p')!.textContent).not.toContain('line 99')
  ui.getByRole('button', { name: 'Read more' })
  mounted!.unmount()
  const short = await show('just a few words')
  expect(short.queryByRole('button', { name: 'Read more' })).toBeNull()
})

test('folding never splits an emoji in two', async () => {
  const text = 'a'.repeat(1_999) + '😀'.repeat(10)
  await show(text)
  const shown = mounted!.container.querySelector('p')!.textContent!.replace(/…$/, '')
  expect(shown).toBe('a'.repeat(1_999))
})

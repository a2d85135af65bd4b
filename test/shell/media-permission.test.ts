// Electron's camera and microphone policy and the incoming-call notification, in plain Node: the
// unit under test is the decision, fed the host's call events.
import { EventEmitter } from 'node:events'
import { expect, it } from 'vitest'
import type { Call, CairnEvent } from '../../core/api/types'
import type { ApiHost } from '../../core/host/dispatch'
import { watchAttention } from '../../electron/attention'
import { watchCallsForMedia } from '../../electron/media-permission'

const APP = 'cairn://app/index.html'
const call = (id: string, direction: 'in' | 'out', phase: Call['phase']): Call => ({ id, contact: 'bob', direction, video: true, phase, sas: null })

function fakeHost(): ApiHost & EventEmitter {
  return Object.assign(new EventEmitter(), { contacts: async () => [] }) as unknown as ApiHost & EventEmitter
}

it('grants media only to the app page, only while a call is placed or accepted', () => {
  const host = fakeHost()
  const gate = watchCallsForMedia(host)
  const emit = (e: CairnEvent) => host.emit('event', e)
  expect(gate.allows('media', APP)).toBe(false)
  emit({ type: 'call', call: call('1', 'in', 'ringing') })
  expect(gate.allows('media', APP)).toBe(false)
  emit({ type: 'call', call: call('1', 'in', 'active') })
  expect(gate.allows('media', APP)).toBe(true)
  expect(gate.allows('media', 'https://evil.example/')).toBe(false)
  expect(gate.allows('media', 'cairn://other/index.html')).toBe(false)
  expect(gate.allows('geolocation', APP)).toBe(false)
  expect(gate.allows('media', 'not a url')).toBe(false)
  emit({ type: 'call-ended', call: call('1', 'in', 'ended'), end: { reason: 'hangup', by: 'local', durationMs: 1 } })
  expect(gate.allows('media', APP)).toBe(false)
  emit({ type: 'call', call: call('2', 'out', 'calling') })
  expect(gate.allows('media', APP)).toBe(true)
  emit({ type: 'locked' })
  expect(gate.allows('media', APP)).toBe(false)
  gate.close()
  expect(host.listenerCount('event')).toBe(0)
})

it('notifies an incoming call unless the window is focused', () => {
  const host = fakeHost()
  const notes: string[] = []
  let focused = false
  const attention = watchAttention(host, { notify: (title, body) => notes.push(`${title}: ${body}`), setUnread: () => {}, isFocused: () => focused })
  attention.preferences({ notify: 'name-and-text', muted: [] })
  host.emit('event', { type: 'call', call: call('1', 'in', 'ringing') } satisfies CairnEvent)
  host.emit('event', { type: 'call', call: call('2', 'out', 'ringing') } satisfies CairnEvent)
  focused = true
  host.emit('event', { type: 'call', call: call('3', 'in', 'ringing') } satisfies CairnEvent)
  expect(notes).toEqual(['A contact: Incoming video call'])
  attention.close()
})

// Stands in for renderer/src/lib/connect.ts in the visual-check build only: an in-page FakeApi seeded
// with a scene named in the URL fragment (#onboarding, #unlock, #chat, #myid, #settings, #add).
import type { ApiClient } from '../../../core/api/client'
import type { ContactId } from '../../../core/api/types'
import { FakeApi, fakeId } from '../../helpers/fake-api'

export type { ApiClient }

export function setOpenConversation(_contact: ContactId | null): void {}

const LINES = [
  'Are we still on for Saturday?',
  'Yes! I found the trail map, see https://example.org/trails/north-ridge.',
  'Great. Bring the thermos 🙂',
  'Leaving at 8 sharp.\nI will pick you up on the way.',
  'Did you get the photos?',
  'Not yet, the upload is slow here.'
]

export async function connectApi(): Promise<ApiClient> {
  const api = new FakeApi()
  const scene = location.hash.slice(1) || 'onboarding'
  if (scene === 'onboarding') return api.client()
  await api.create('Ada Lovelace', 'correct horse battery')
  if (scene === 'unlock') {
    api.unlocked = false
    return api.client()
  }
  const now = Date.now()
  const people: [string, 'online' | 'lan' | 'offline'][] = [
    ['Grace Hopper', 'online'],
    ['Alan Turing', 'lan'],
    ['Katherine Johnson', 'offline'],
    ['Edsger Dijkstra', 'offline']
  ]
  for (const [name, presence] of people) {
    const c = await api.addContact(fakeId(name), name)
    api.contactsById.set(c.id, { ...c, presence, addedAt: now - 90 * 86_400_000, lastActivity: now - 90 * 86_400_000 })
  }
  const grace = fakeId('Grace Hopper')
  const count = Number(new URLSearchParams(location.search).get('messages') ?? 10_000)
  for (let i = 0; i < count; i++) {
    const at = now - (count - i) * 7 * 60_000
    const out = i % 3 === 0
    api.append({
      id: `seed${i}`,
      contact: grace,
      direction: out ? 'out' : 'in',
      text: `${LINES[i % LINES.length]}${i % 17 === 0 ? ' ' + 'More words to make a longer message that wraps. '.repeat(3) : ''}`,
      sentAt: at,
      receivedAt: at,
      state: out ? (i > count - 3 ? 'delivered' : 'read') : 'read'
    })
  }
  const alan = fakeId('Alan Turing')
  api.append({ id: 'a1', contact: alan, direction: 'in', text: 'Can you review my paper on computable numbers?', sentAt: now - 3600_000, receivedAt: now - 3600_000, state: 'delivered' })
  api.append({ id: 'a2', contact: alan, direction: 'in', text: 'No rush.', sentAt: now - 3500_000, receivedAt: now - 3500_000, state: 'delivered' })
  api.pendingRequests.set(fakeId('Mallory'), { id: fakeId('Mallory'), name: 'Definitely Grace', receivedAt: now })
  api.net = { mode: 'internet', peers: 3, contactsOnline: 2, lanDiscovery: true }
  api.contactsById.set(grace, { ...api.contactsById.get(grace)!, verified: false, unread: 0 })
  const client = api.client()
  setTimeout(() => {
    api.emit({ type: 'typing', contact: grace, typing: true })
    api.emit({ type: 'sync', progress: { contact: grace, done: 40, total: 120 } })
    if (scene === 'security') {
      api.emit({ type: 'security', event: { contact: grace, kind: 'log-fork', detail: 'block 812 differs from the copy seen before', at: now } })
    }
  }, 300)
  return client
}

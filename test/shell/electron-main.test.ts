import { EventEmitter } from 'node:events'
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { preview, type NotificationPrefs } from '../../core/api/notification'
import type { Call, CairnEvent, Contact, Message } from '../../core/api/types'
import { APP_ENTRY, isAppUrl } from '../../electron/app-url'
import { serveAppRequest } from '../../electron/app-protocol'
import { parseAppArgs } from '../../electron/args'
import { watchAttention } from '../../electron/attention'
import { createIpcHandlers } from '../../electron/ipc'
import { externalLink } from '../../electron/links'
import { DEFAULT_WINDOW_STATE, loadWindowState, parseWindowState, placeOnScreen, saveWindowState, WINDOW_STATE_FILE } from '../../electron/window-state'
import type { ApiHost } from '../../core/host/dispatch'

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('app origin', () => {
  it('trusts only the app scheme and host', () => {
    expect(isAppUrl(APP_ENTRY)).toBe(true)
    expect(isAppUrl('cairn://app/assets/x.js')).toBe(true)
    for (const url of ['file:///index.html', 'cairn://evil/index.html', 'http://127.0.0.1/', 'https://app/', '', null, undefined, 'not a url']) {
      expect(isAppUrl(url), String(url)).toBe(false)
    }
  })
})

describe('app protocol', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-proto-'))
    await mkdir(join(dir, 'dist'))
    await writeFile(join(dir, 'dist', 'index.html'), '<!doctype html>')
    await writeFile(join(dir, 'secret.txt'), 'SECRET')
  })
  afterEach(() => rm(dir, { recursive: true, force: true }))

  it('serves the build with the strict CSP and nothing outside it', async () => {
    const root = join(dir, 'dist')
    const ok = await serveAppRequest(root, APP_ENTRY)
    expect(ok.status).toBe(200)
    expect(ok.headers.get('content-security-policy')).toContain("connect-src 'none'")
    expect(ok.headers.get('content-security-policy')).toContain("script-src 'self'")
    expect(await ok.text()).toBe('<!doctype html>')
    for (const url of ['cairn://app/../secret.txt', 'cairn://app/%2e%2e/secret.txt', 'cairn://app/..%2fsecret.txt', 'cairn://other/index.html', '::']) {
      const res = await serveAppRequest(root, url)
      expect(res.status, url).toBeGreaterThanOrEqual(400)
      expect(await res.text()).not.toContain('SECRET')
    }
  })
})

describe('app flags', () => {
  it('reads --profile and --bootstrap among Chromium switches, then the environment', () => {
    const args = parseAppArgs(['--enable-logging', '--profile', '/tmp/p1', '--bootstrap=127.0.0.1:4000', 'extra'], {})
    expect(args).toEqual({ profileDir: '/tmp/p1', bootstrap: [{ host: '127.0.0.1', port: 4000 }], lanDiscovery: undefined })
    const env = parseAppArgs(['--no-lan'], { CAIRN_PROFILE: '/tmp/p2', CAIRN_BOOTSTRAP: '[::1]:5' })
    expect(env).toEqual({ profileDir: '/tmp/p2', bootstrap: [{ host: '::1', port: 5 }], lanDiscovery: false })
    expect(parseAppArgs([], { XDG_DATA_HOME: '/tmp/xdg' }).profileDir).toBe('/tmp/xdg/cairn')
    expect(() => parseAppArgs(['--bootstrap', 'nonsense'], {})).toThrow(/host:port/)
  })
})

describe('external links', () => {
  it('lets out only web and mail links without credentials', () => {
    expect(externalLink('https://example.org/a?b#c')).toBe('https://example.org/a?b#c')
    expect(externalLink('mailto:a@example.org')).toBe('mailto:a@example.org')
    for (const url of ['javascript:alert(1)', 'file:///etc/passwd', 'cairn://app/', 'smb://host/share', 'https://user:pw@example.org/', 'nope', `https://x.org/${'a'.repeat(3000)}`]) {
      expect(externalLink(url), url).toBeNull()
    }
  })
})

describe('window state', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-winstate-'))
  })
  afterEach(() => rm(dir, { recursive: true, force: true }))

  it('round-trips through the profile folder', async () => {
    expect(await loadWindowState(dir)).toEqual(DEFAULT_WINDOW_STATE)
    const state = { x: 10, y: -20, width: 800, height: 600, maximized: true }
    await saveWindowState(dir, state)
    expect(await loadWindowState(dir)).toEqual(state)
    expect(JSON.parse(await readFile(join(dir, WINDOW_STATE_FILE), 'utf8'))).toEqual(state)
  })

  it('drops a position that no connected display shows', () => {
    const displays = [{ x: 0, y: 0, width: 1920, height: 1080 }, { x: 1920, y: 0, width: 1280, height: 1024 }]
    const onSecond = { x: 2000, y: 100, width: 800, height: 600, maximized: false }
    expect(placeOnScreen(onSecond, displays)).toEqual(onSecond)
    expect(placeOnScreen(onSecond, displays.slice(0, 1))).toEqual({ width: 800, height: 600, maximized: false })
    expect(placeOnScreen({ x: -790, y: 10, width: 800, height: 600, maximized: false }, displays)).toEqual({ width: 800, height: 600, maximized: false })
    expect(placeOnScreen({ ...DEFAULT_WINDOW_STATE }, displays)).toEqual(DEFAULT_WINDOW_STATE)
  })

  it('falls back to defaults on a damaged or hostile file', async () => {
    for (const text of ['', '{', 'null', '[]', '{"width":"800","height":600,"maximized":false}', '{"width":100000,"height":600,"maximized":false}', '{"width":10,"height":600,"maximized":false}', '{"width":800.5,"height":600,"maximized":false}', '{"width":800,"height":600}', ' '.repeat(5000)]) {
      await writeFile(join(dir, WINDOW_STATE_FILE), text)
      expect(await loadWindowState(dir), text.slice(0, 40)).toEqual(DEFAULT_WINDOW_STATE)
    }
    expect(parseWindowState('{"width":800,"height":600,"maximized":false,"x":"a","y":3}')).toEqual({ width: 800, height: 600, maximized: false })
  })
})

describe('attention: notifications and unread count', () => {
  function contact(id: string, unread: number, blocked = false): Contact {
    return { id, name: `name of ${id}`, presence: 'online', blocked, verified: false, unread, lastMessage: null, lastActivity: 0, addedAt: 0, announcedName: null }
  }
  function message(contactId: string, direction: 'in' | 'out', text = 'hello'): Message {
    return { id: `${contactId}-${Math.random()}`, contact: contactId, direction, text, sentAt: 0, receivedAt: 0, state: 'delivered' }
  }

  // The host here is an event source with a contacts() answer: the unit under test is the policy.
  function fakeHost(list: () => Contact[]) {
    const emitter = new EventEmitter()
    const host = Object.assign(emitter, { contacts: async () => list() }) as unknown as ApiHost & EventEmitter
    return host
  }

  it('notifies for incoming messages except in the open conversation of the focused window', async () => {
    let contacts = [contact('bob', 0), contact('carol', 0)]
    const host = fakeHost(() => contacts)
    const notes: string[] = []
    const totals: number[] = []
    let focused = true
    const attention = watchAttention(host, {
      notify: (title, body) => notes.push(`${title}: ${body}`),
      setUnread: (n) => totals.push(n),
      isFocused: () => focused
    })
    await until(() => totals.length === 1)
    attention.preferences({ notify: 'name-and-text', muted: [] })
    attention.viewing('bob')
    const emit = (e: CairnEvent) => host.emit('event', e)
    emit({ type: 'message', message: message('bob', 'in', 'seen already') })
    emit({ type: 'message', message: message('bob', 'out') })
    contacts = [contact('bob', 0), contact('carol', 2)]
    emit({ type: 'message', message: message('carol', 'in', 'for carol\n  with   spaces') })
    focused = false
    emit({ type: 'message', message: message('bob', 'in', 'window in background') })
    attention.viewing(null)
    focused = true
    emit({ type: 'message', message: message('bob', 'in', 'conversation closed') })
    emit({ type: 'message', message: { ...message('bob', 'in', ''), deleted: true } })
    emit({ type: 'message', message: { ...message('bob', 'in', ''), timer: 86_400 } })
    expect(notes).toEqual(['name of carol: for carol with spaces', 'name of bob: window in background', 'name of bob: conversation closed'])
    await until(() => totals.at(-1) === 2)
    contacts = [contact('bob', 1), contact('carol', 2), contact('mallory', 50, true)]
    emit({ type: 'contact', contact: contacts[0] })
    await until(() => totals.at(-1) === 3)
    emit({ type: 'locked' })
    contacts = []
    await until(() => totals.at(-1) === 0)
    attention.close()
    expect(host.listenerCount('event')).toBe(0)
  })

  it('shows only what the notification setting allows, nothing for a muted conversation, and neither name nor text until told', async () => {
    const host = fakeHost(() => [contact('bob', 0), contact('carol', 0)])
    const notes: string[] = []
    const totals: number[] = []
    const attention = watchAttention(host, {
      notify: (title, body, about) => notes.push(`${about} ${title}: ${body}`),
      setUnread: (n) => totals.push(n),
      isFocused: () => false
    })
    await until(() => totals.length === 1)
    const emit = (e: CairnEvent) => host.emit('event', e)
    const ring = (contactId: string, video: boolean): CairnEvent => {
      const call: Call = { id: 'c'.repeat(32), contact: contactId, direction: 'in', video, phase: 'ringing', sas: null }
      return { type: 'call', call }
    }
    const round = (prefs: NotificationPrefs | null): string[] => {
      if (prefs) attention.preferences(prefs)
      notes.length = 0
      emit({ type: 'message', message: message('bob', 'in', 'the secret plan') })
      emit({ type: 'message', message: message('carol', 'in', 'from carol') })
      emit(ring('carol', true))
      return [...notes]
    }
    expect(round(null)).toEqual(['bob Cairn: New message', 'carol Cairn: New message', 'carol Cairn: Incoming video call'])
    expect(round({ notify: 'name-and-text', muted: [] })).toEqual([
      'bob name of bob: the secret plan',
      'carol name of carol: from carol',
      'carol name of carol: Incoming video call'
    ])
    expect(round({ notify: 'name', muted: [] })).toEqual([
      'bob name of bob: New message',
      'carol name of carol: New message',
      'carol name of carol: Incoming video call'
    ])
    expect(round({ notify: 'nothing', muted: [] })).toEqual(['bob Cairn: New message', 'carol Cairn: New message', 'carol Cairn: Incoming video call'])
    // a muted conversation's messages stay silent; its calls still ring
    expect(round({ notify: 'name-and-text', muted: ['carol'] })).toEqual(['bob name of bob: the secret plan', 'carol name of carol: Incoming video call'])
    expect(round({ notify: 'name', muted: ['bob', 'carol'] })).toEqual(['carol name of carol: Incoming video call'])
    expect(notes.join()).not.toContain('secret')
    attention.close()
  })

  it('takes preferences only from the app page, and only well-formed ones', () => {
    const told: NotificationPrefs[] = []
    const handlers = createIpcHandlers({ host: fakeHost(() => []), onViewing: () => {}, onNotificationPrefs: (p) => told.push(p), files: { save: async () => null, open: async () => undefined } })
    const fromApp = { senderFrame: { url: APP_ENTRY } }
    handlers.notificationPrefs({ senderFrame: { url: 'https://evil.example/' } }, { notify: 'name-and-text', muted: [] })
    handlers.notificationPrefs({ senderFrame: null }, { notify: 'name-and-text', muted: [] })
    for (const bad of [
      null,
      'name',
      { notify: 'everything', muted: [] },
      { notify: 'name' },
      { notify: 'name', muted: 'bob' },
      { notify: 'name', muted: [42] },
      { notify: 'name', muted: [''] },
      { notify: 'name', muted: ['x'.repeat(129)] },
      { notify: 'name', muted: Array(10_001).fill('bob') }
    ]) {
      handlers.notificationPrefs(fromApp, bad)
    }
    expect(told).toEqual([])
    handlers.notificationPrefs(fromApp, { notify: 'name', muted: ['bob'], extra: 'ignored' })
    expect(told).toEqual([{ notify: 'name', muted: ['bob'] }])
  })

  it('shows a locked or broken host as nothing unread', async () => {
    const host = fakeHost(() => {
      throw new Error('locked')
    })
    const totals: number[] = []
    const attention = watchAttention(host, { notify: () => {}, setUnread: (n) => totals.push(n), isFocused: () => false })
    await until(() => totals.length === 1)
    expect(totals).toEqual([0])
    attention.close()
  })

  it('trims previews', () => {
    expect(preview('a'.repeat(500))).toHaveLength(120)
    expect(preview('  x \n y ')).toBe('x y')
  })
})

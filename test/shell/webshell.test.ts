import { EventEmitter } from 'node:events'
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { dispatch, type ApiHost } from '../../core/host/dispatch'
import { APP_ENTRY } from '../../electron/app-url'
import { createIpcHandlers } from '../../electron/ipc'
import type { CairnApi, CairnEvent } from '../../core/api/types'
import { startWebShell, type WebShell } from '../../shell/web-server'

// A stand-in host that records every call: these tests are about what the shell lets through.
class RecordingHost extends EventEmitter {
  calls: string[] = []
  /** Calls to these methods never settle, like a host stuck on slow work. */
  stuck = new Set<string>()
  readonly api = new Proxy({} as CairnApi, {
    get: (_t, method: string) => async () => {
      this.calls.push(method)
      if (this.stuck.has(method)) await new Promise(() => {})
      return { method }
    }
  })
}

function asHost(rec: RecordingHost): ApiHost {
  return Object.assign(Object.create(rec.api), {
    on: rec.on.bind(rec),
    off: rec.off.bind(rec)
  }) as ApiHost
}

interface Got {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

function get(port: number, rawPath: string, headers: Record<string, string> = {}): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: rawPath, headers }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d) => (body += d))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

/** Opens a socket and reports how it ended and every message it got. */
function openSocket(url: string, origin: string | undefined, first?: unknown) {
  const ws = new WebSocket(url, origin ? { origin } : {})
  const messages: unknown[] = []
  const outcome = new Promise<{ opened: boolean; code: number | null }>((resolve) => {
    let opened = false
    ws.on('open', () => {
      opened = true
      if (first !== undefined) ws.send(typeof first === 'string' ? first : JSON.stringify(first))
    })
    ws.on('message', (d) => messages.push(JSON.parse(d.toString())))
    ws.on('unexpected-response', (_req, res) => resolve({ opened: false, code: res.statusCode ?? null }))
    ws.on('error', () => resolve({ opened, code: null }))
    ws.on('close', (code) => resolve({ opened, code }))
  })
  return { ws, messages, outcome }
}

function codeOf(url: string): string {
  return new URLSearchParams(new URL(url).hash.slice(1)).get('code') ?? ''
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('web shell', () => {
  let dir: string
  let rec: RecordingHost
  let shell: WebShell
  let code: string
  let origin: string
  let wsUrl: string

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-webshell-'))
    const root = join(dir, 'dist')
    await mkdir(join(root, 'assets'), { recursive: true })
    await writeFile(join(root, 'index.html'), '<!doctype html><title>Cairn</title>')
    await writeFile(join(root, 'assets', 'app.js'), 'console.log(1)')
    await writeFile(join(dir, 'secret.txt'), 'TOP SECRET')
    await writeFile(join(dir, 'secret.js'), 'TOP SECRET')
    await symlink(join(dir, 'secret.js'), join(root, 'assets', 'link.js'))
    rec = new RecordingHost()
    shell = await startWebShell({ host: asHost(rec), rendererDir: root, authTimeoutMs: 1000 })
    const url = new URL(shell.url)
    code = codeOf(shell.url)
    origin = url.origin
    wsUrl = `ws://127.0.0.1:${shell.port}/api`
  })

  afterEach(async () => {
    await shell.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('refuses to start without a renderer build, naming the folder and the remedy', async () => {
    const empty = join(dir, 'empty')
    await mkdir(empty)
    await expect(startWebShell({ host: asHost(rec), rendererDir: empty })).rejects.toThrow(`no renderer build in ${empty}`)
  })

  /** A socket let in with a fresh URL's code. */
  async function login() {
    const s = openSocket(wsUrl, origin, { kind: 'auth', code: codeOf(shell.newUrl()) })
    await until(() => s.messages.length === 1)
    expect(s.messages[0]).toMatchObject({ kind: 'auth-ok' })
    return s
  }

  it('listens on loopback with a long random single-use code in the URL fragment', () => {
    expect(shell.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#code=[A-Za-z0-9_-]{43}$/)
    expect(origin).toBe(`http://127.0.0.1:${shell.port}`)
    const another = shell.newUrl()
    expect(another).not.toBe(shell.url)
    expect(new URL(another).origin).toBe(origin)
  })

  it('takes a code once: the page gets a credential, a second client with the same URL gets nothing', async () => {
    const page = openSocket(wsUrl, origin, { kind: 'auth', code })
    await until(() => page.messages.length === 1)
    const accepted = page.messages[0] as { kind: string; session: string }
    expect(accepted.kind).toBe('auth-ok')
    expect(accepted.session).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(accepted.session).not.toBe(code)

    // the same URL again, even with the right Origin, as a local program could send it
    const second = openSocket(wsUrl, origin, { kind: 'auth', code })
    second.ws.on('open', () => second.ws.send(JSON.stringify({ kind: 'request', id: 1, method: 'exportIdentity', args: ['x'] })))
    expect((await second.outcome).code).toBe(1008)
    expect(second.messages).toEqual([])

    // the credential lets the page (a reload, a reconnection) back in, as often as needed
    for (let i = 0; i < 2; i++) {
      const again = openSocket(wsUrl, origin, { kind: 'auth', session: accepted.session })
      await until(() => again.messages.length === 1)
      expect(again.messages[0]).toEqual({ kind: 'auth-ok', session: accepted.session })
      again.ws.close()
    }
    expect(rec.calls).toEqual([])
    page.ws.close()
  })

  it('refuses an expired code, and a code refused once stays spent', async () => {
    const quick = await startWebShell({ host: asHost(rec), rendererDir: join(dir, 'dist'), codeTtlMs: 30 })
    try {
      const url = quick.url
      const born = Date.now()
      await until(() => Date.now() > born + 60)
      const port = quick.port
      const late = openSocket(`ws://127.0.0.1:${port}/api`, `http://127.0.0.1:${port}`, { kind: 'auth', code: codeOf(url) })
      expect((await late.outcome).code).toBe(1008)
      expect(late.messages).toEqual([])
    } finally {
      await quick.close()
    }
    expect(rec.calls).toEqual([])
  })

  it('keeps at most a few unused codes: older ones give way', async () => {
    const first = codeOf(shell.newUrl())
    for (let i = 0; i < 8; i++) shell.newUrl()
    const s = openSocket(wsUrl, origin, { kind: 'auth', code: first })
    expect((await s.outcome).code).toBe(1008)
  })

  it('serves the renderer with a strict CSP', async () => {
    const index = await get(shell.port, '/')
    expect(index.status).toBe(200)
    expect(index.body).toContain('<title>Cairn</title>')
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8')
    const csp = String(index.headers['content-security-policy'])
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toContain('unsafe')
    expect(csp).toContain(`connect-src ws://127.0.0.1:${shell.port}`)
    expect(index.headers['x-content-type-options']).toBe('nosniff')
    expect((await get(shell.port, '/assets/app.js')).body).toBe('console.log(1)')
  })

  it('refuses path traversal, symlinks out of the folder and odd paths', async () => {
    const attempts = [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/..%5csecret.txt',
      '/assets/link.js',
      '/index.html%00.js',
      '/%E0%A4%A',
      '//etc/passwd',
      '/assets/',
      '/nope.js'
    ]
    for (const path of attempts) {
      const res = await get(shell.port, path)
      expect(res.status, path).toBe(404)
      expect(res.body, path).not.toContain('SECRET')
    }
  })

  it('refuses requests naming another host (DNS rebinding)', async () => {
    const res = await get(shell.port, '/', { Host: `evil.example:${shell.port}` })
    expect(res.status).toBe(421)
    expect(res.body).toBe('')
  })

  it('answers API calls after the right code and pushes events', async () => {
    const s = await login()
    s.ws.send(JSON.stringify({ kind: 'request', id: 1, method: 'contacts', args: [] }))
    s.ws.send(JSON.stringify({ kind: 'request', id: 2, method: 'send', args: [1, 2] }))
    await until(() => s.messages.length === 3)
    const event: CairnEvent = { type: 'locked' }
    rec.emit('event', event)
    await until(() => s.messages.length === 4)
    expect(s.messages.slice(1)).toEqual(
      expect.arrayContaining([
        { kind: 'response', id: 1, ok: true, result: { method: 'contacts' } },
        { kind: 'response', id: 2, ok: false, error: { code: 'invalid-argument', message: 'send: contact must be a string, got number' } },
        { kind: 'event', event }
      ])
    )
    expect(rec.calls).toEqual(['contacts'])
    s.ws.close()
  })

  it('pushes events to every authenticated socket and to no other', async () => {
    const one = await login()
    const two = await login()
    const pending = openSocket(wsUrl, origin)
    await until(() => pending.ws.readyState === WebSocket.OPEN)
    rec.emit('event', { type: 'request-removed', id: 'x' } satisfies CairnEvent)
    await until(() => one.messages.length === 2 && two.messages.length === 2)
    expect(one.messages[1]).toEqual({ kind: 'event', event: { type: 'request-removed', id: 'x' } })
    expect(two.messages[1]).toEqual(one.messages[1])
    expect(pending.messages).toEqual([])
    for (const s of [one, two, pending]) s.ws.close()
  })

  it('gives a wrong code or credential nothing: closed, no API call, no events', async () => {
    for (const first of [
      { kind: 'auth', code: 'x'.repeat(code.length) },
      { kind: 'auth', code: code + 'a' },
      { kind: 'auth', session: code },
      { kind: 'auth', session: 'x'.repeat(43) },
      { kind: 'auth', token: code },
      { kind: 'request', id: 1, method: 'contacts', args: [] },
      'not json'
    ]) {
      const s = openSocket(wsUrl, origin, first)
      s.ws.on('open', () => s.ws.send(JSON.stringify({ kind: 'request', id: 2, method: 'contacts', args: [] })))
      const end = await s.outcome
      expect(end.code).toBe(1008)
      rec.emit('event', { type: 'locked' })
      expect(s.messages).toEqual([])
    }
    expect(rec.calls).toEqual([])
  })

  it('gives a wrong or missing origin, or another path, nothing', async () => {
    for (const [url, o] of [
      [wsUrl, 'http://evil.example'],
      [wsUrl, `http://localhost:${shell.port}`],
      [wsUrl, undefined],
      [`ws://127.0.0.1:${shell.port}/other`, origin]
    ] as const) {
      const s = openSocket(url, o, { kind: 'auth', code })
      const end = await s.outcome
      expect(end.opened).toBe(false)
      expect(end.code).toBe(403)
      expect(s.messages).toEqual([])
    }
    expect(rec.calls).toEqual([])
  })

  it('closes a socket that never presents a code or credential', async () => {
    const s = openSocket(wsUrl, origin)
    expect(await s.outcome).toEqual({ opened: true, code: 1008 })
    expect(s.messages).toEqual([])
  })

  it('refuses calls that name a file on the node’s disk, which Electron and the CLI still make', async () => {
    const s = await login()
    const contact = 'y'.repeat(56)
    s.ws.send(JSON.stringify({ kind: 'request', id: 1, method: 'sendFile', args: [contact, '/etc/passwd'] }))
    s.ws.send(JSON.stringify({ kind: 'request', id: 2, method: 'saveFile', args: [contact, 'abc', '/home/someone/.config/autostart'] }))
    s.ws.send(JSON.stringify({ kind: 'request', id: 3, method: 'beginUpload', args: [10] }))
    await until(() => s.messages.length === 4)
    for (const id of [1, 2]) {
      expect(s.messages).toContainEqual({
        kind: 'response',
        id,
        ok: false,
        error: { code: 'unauthorized', message: expect.stringMatching(/names a file on the node's disk/) }
      })
    }
    expect(rec.calls).toEqual(['beginUpload'])
    s.ws.close()

    // the Electron bridge (and the CLI's control socket, which is the same dispatch) keep them
    const ipc = createIpcHandlers({ host: asHost(rec), onViewing: () => {}, onNotificationPrefs: () => {}, files: { save: async () => null, open: async () => undefined } })
    const sender = { senderFrame: { url: APP_ENTRY } }
    const sent = await ipc.request(sender, { kind: 'request', id: 4, method: 'sendFile', args: [contact, '/tmp/photo.jpg'] })
    expect(sent).toEqual({ kind: 'response', id: 4, ok: true, result: { method: 'sendFile' } })
    expect(await dispatch(asHost(rec), { kind: 'request', id: 5, method: 'saveFile', args: [contact, 'abc', '/tmp'] })).toMatchObject({ ok: true })
    expect(rec.calls).toEqual(['beginUpload', 'sendFile', 'saveFile'])
  })

  it('ignores malformed frames from an authenticated page and keeps serving it', async () => {
    const s = await login()
    s.ws.send('{not json')
    s.ws.send(Buffer.from([1, 2, 3]))
    s.ws.send('null')
    s.ws.send(JSON.stringify({ kind: 'request', method: 'contacts', args: [] }))
    s.ws.send(JSON.stringify({ kind: 'request', id: 8, method: 'contacts', args: [] }))
    await until(() => s.messages.length === 2)
    expect(s.messages[1]).toEqual({ kind: 'response', id: 8, ok: true, result: { method: 'contacts' } })
    expect(rec.calls).toEqual(['contacts'])
    s.ws.close()
  })

  it('closes a page that floods requests the host cannot keep up with', async () => {
    rec.stuck.add('network')
    const s = await login()
    for (let id = 1; id <= 65; id++) s.ws.send(JSON.stringify({ kind: 'request', id, method: 'network', args: [] }))
    expect((await s.outcome).code).toBe(1008)
    expect(rec.calls.length).toBe(64)
  })

  it('close() drops sockets and stops listening', async () => {
    const s = await login()
    await shell.close()
    expect((await s.outcome).opened).toBe(true)
    await expect(get(shell.port, '/')).rejects.toThrow()
    expect(rec.listenerCount('event')).toBe(0)
    shell = { ...shell, close: async () => {} }
  })
})

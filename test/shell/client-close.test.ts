import { EventEmitter } from 'node:events'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import WebSocket from 'ws'
import { createApiClient, type ApiClient } from '../../core/api/client'
import type { ApiHost } from '../../core/host/dispatch'
import type { CairnApi, WireFrame } from '../../core/api/types'
import { POLICY_VIOLATION, type AuthAccepted, type AuthRequest } from '../../core/api/handshake'
import { startWebShell, type WebShell } from '../../shell/web-server'
import { openSessionStore, type SessionStore } from '../../shell/web-sessions'

describe('ApiClient close notification', () => {
  it('tells each listener once, after pending calls are rejected and new ones refused', async () => {
    const client = createApiClient(() => {})
    const pending = client.api.contacts()
    const order: string[] = []
    pending.catch(() => order.push('pending rejected'))
    let callDuringClose: Promise<unknown> | undefined
    client.onClose(() => {
      order.push('first')
      callDuringClose = client.api.state()
    })
    client.onClose(() => order.push('second'))
    client.close()
    client.close()
    await expect(pending).rejects.toMatchObject({ code: 'internal' })
    await expect(callDuringClose).rejects.toMatchObject({ code: 'internal' })
    expect(order).toEqual(['first', 'second', 'pending rejected'])
  })

  it('does not call a listener that unsubscribed, and a throwing listener does not stop the others', () => {
    const client = createApiClient(() => {})
    const gone = vi.fn()
    const kept = vi.fn()
    const off = client.onClose(gone)
    client.onClose(() => {
      throw new Error('broken listener')
    })
    client.onClose(kept)
    off()
    const errSpy = vi.spyOn(console, 'error').mockImplementation(() => {})
    client.close()
    expect(errSpy).toHaveBeenCalledTimes(1)
    errSpy.mockRestore()
    expect(gone).not.toHaveBeenCalled()
    expect(kept).toHaveBeenCalledTimes(1)
  })

  it('tells a listener registered after the close, soon rather than from inside onClose, unless cancelled', async () => {
    const client = createApiClient(() => {})
    client.close()
    const late = vi.fn()
    const cancelled = vi.fn()
    client.onClose(late)
    const off = client.onClose(cancelled)
    off()
    expect(late).not.toHaveBeenCalled()
    await Promise.resolve()
    expect(late).toHaveBeenCalledTimes(1)
    expect(cancelled).not.toHaveBeenCalled()
  })

  it('registering the same function twice means two calls, each cancellable on its own', () => {
    const client = createApiClient(() => {})
    const cb = vi.fn()
    client.onClose(cb)
    const off = client.onClose(cb)
    client.onClose(cb)
    off()
    client.close()
    expect(cb).toHaveBeenCalledTimes(2)
  })
})

// A real web shell over a real WebSocket, wired to the client as the renderer's connect.ts does.
class EchoHost extends EventEmitter {
  readonly api = new Proxy({} as CairnApi, { get: (_t, method: string) => async () => ({ method }) })
}

function asHost(h: EchoHost): ApiHost {
  return Object.assign(Object.create(h.api), { on: h.on.bind(h), off: h.off.bind(h) }) as ApiHost
}

/** Authenticates; resolves the client and its session credential once the shell accepts, or the close code. */
function connect(port: number, auth: AuthRequest): Promise<{ client: ApiClient; session: string } | { refused: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api`, { origin: `http://127.0.0.1:${port}` })
    const client = createApiClient((frame) => ws.send(JSON.stringify(frame)))
    let ready = false
    ws.on('open', () => ws.send(JSON.stringify(auth)))
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as WireFrame | AuthAccepted
      if (frame.kind === 'auth-ok') {
        ready = true
        resolve({ client, session: frame.session })
      } else client.receive(frame)
    })
    ws.on('error', () => {})
    ws.on('close', (code) => {
      client.close()
      if (!ready) resolve({ refused: code })
    })
  })
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('a web shell going away under a client', () => {
  let dir: string
  const shells: WebShell[] = []

  afterEach(async () => {
    for (const s of shells.splice(0)) await s.close()
    await rm(dir, { recursive: true, force: true })
  })

  async function shell(opts: { port?: number; sessions?: SessionStore } = {}): Promise<{ shell: WebShell; code: string }> {
    const s = await startWebShell({ host: asHost(new EchoHost()), rendererDir: dir, ...opts })
    shells.push(s)
    return { shell: s, code: new URLSearchParams(new URL(s.url).hash.slice(1)).get('code') ?? '' }
  }

  it('closes the client (listeners told, calls refused); a restart with the same sessions and port takes it back', async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-client-close-'))
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>Cairn</title>')
    const sessions = await openSessionStore()
    const first = await shell({ sessions })
    const got = await connect(first.shell.port, { kind: 'auth', code: first.code })
    if (!('client' in got)) throw new Error(`refused with ${got.refused}`)
    await expect(got.client.api.state()).resolves.toEqual({ method: 'state' })
    let told = 0
    got.client.onClose(() => told++)

    await first.shell.close()
    shells.splice(0)
    await until(() => told === 1)
    await expect(got.client.api.state()).rejects.toMatchObject({ code: 'internal' })

    const second = await shell({ port: first.shell.port, sessions })
    expect(second.shell.url).not.toBe(first.shell.url)
    const again = await connect(second.shell.port, { kind: 'auth', session: got.session })
    if (!('client' in again)) throw new Error(`refused with ${again.refused}`)
    expect(again.session).toBe(got.session)
    await expect(again.client.api.profile()).resolves.toEqual({ method: 'profile' })
    again.client.close()
    // the first URL's code stays spent across the restart
    expect(await connect(second.shell.port, { kind: 'auth', code: first.code })).toEqual({ refused: POLICY_VIOLATION })

    // a shell restarted without those sessions refuses the credential with the code the page tells apart
    await second.shell.close()
    shells.splice(0)
    await shell({ port: first.shell.port })
    expect(await connect(first.shell.port, { kind: 'auth', session: got.session })).toEqual({ refused: POLICY_VIOLATION })
  })
})

// The Electron IPC layer in plain Node: a fake IPC event for the transport, the real CairnHost
// behind it (on a loopback testnet, in a temp folder).
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createApiClient } from '../../core/api/client'
import { CairnHost } from '../../core/host/host'
import type { WireFrame } from '../../core/api/types'
import { createLocalTestnet, type LocalTestnet } from '../../core/net/testnet'
import { APP_ENTRY } from '../../electron/app-url'
import type { RequestFrame } from '../../core/api/bridge'
import { createIpcHandlers, type IpcSender } from '../../electron/ipc'

const fromApp: IpcSender = { senderFrame: { url: APP_ENTRY } }
const fromElsewhere: IpcSender[] = [
  { senderFrame: { url: 'https://evil.example/' } },
  { senderFrame: { url: 'file:///tmp/x.html' } },
  { senderFrame: { url: 'cairn://evil/index.html' } },
  { senderFrame: null }
]

describe('Electron IPC bridge over the real CairnHost', () => {
  let testnet: LocalTestnet
  let dir: string
  let host: CairnHost
  const viewing: (string | null)[] = []
  let handlers: ReturnType<typeof createIpcHandlers>

  beforeAll(async () => {
    testnet = await createLocalTestnet(3)
    dir = await mkdtemp(join(tmpdir(), 'cairn-ipc-'))
    host = new CairnHost({ profileDir: dir, bootstrap: testnet.bootstrap, lanDiscovery: false })
    handlers = createIpcHandlers({ host, onViewing: (c) => viewing.push(c), onNotificationPrefs: () => {}, files: { save: async () => null, open: async () => undefined }, log: vi.fn() })
  })

  afterAll(async () => {
    await host?.close()
    await testnet?.destroy()
    await rm(dir, { recursive: true, force: true })
  })

  // What preload + connect.ts do: a client whose frames go through the handler.
  function client(sender: IpcSender) {
    const c = createApiClient((frame) => {
      void handlers.request(sender, frame).then((res: WireFrame) => c.receive(res))
    })
    return c
  }

  it('creates, locks and unlocks a profile through IPC, with typed errors', async () => {
    const { api } = client(fromApp)
    expect(await api.state()).toEqual({ profile: 'none', me: null })
    await expect(api.profile()).rejects.toMatchObject({ code: 'locked' })
    const me = await api.create('Alice', 'a good passphrase')
    expect(me.name).toBe('Alice')
    expect(await api.state()).toEqual({ profile: 'unlocked', me })
    await expect(api.create('Again', 'another good passphrase')).rejects.toMatchObject({ code: 'profile-exists' })
    await expect(api.addContact('not-an-id', 'Bob')).rejects.toMatchObject({ code: 'invalid-contact-id' })
    await expect(api.addContact(me.id, 'Me')).rejects.toMatchObject({ code: 'self' })
    await api.lock()
    expect((await api.state()).profile).toBe('locked')
    await expect(api.unlock('wrong passphrase')).rejects.toMatchObject({ code: 'wrong-passphrase' })
    expect(await api.unlock('a good passphrase')).toEqual(me)
  }, 60_000)

  it('refuses every sender that is not the app page, before the API runs', async () => {
    const spy = vi.spyOn(host, 'setName')
    for (const sender of fromElsewhere) {
      const res = await handlers.request(sender, { kind: 'request', id: 5, method: 'setName', args: ['Mallory'] })
      expect(res).toEqual({ kind: 'response', id: 5, ok: false, error: { code: 'unauthorized', message: 'IPC from a page that is not Cairn' } })
      handlers.viewing(sender, 'someone')
    }
    expect(spy).not.toHaveBeenCalled()
    expect((await host.profile()).name).toBe('Alice')
    expect(viewing).toEqual([])
  })

  it('validates arguments and frames from the app page too', async () => {
    const bad: unknown[] = [
      { kind: 'request', id: 1, method: 'setName', args: ['x'.repeat(65)] },
      { kind: 'request', id: 2, method: 'setName', args: [] },
      { kind: 'request', id: 3, method: 'eval', args: ['1'] },
      { kind: 'event', event: { type: 'locked' } },
      'garbage',
      null
    ]
    for (const frame of bad) {
      const res = await handlers.request(fromApp, frame)
      expect(res).toMatchObject({ kind: 'response', ok: false, error: { code: 'invalid-argument' } })
    }
    expect((await host.profile()).name).toBe('Alice')
    const ok = await handlers.request(fromApp, { kind: 'request', id: 9, method: 'setName', args: ['Alice B'] } satisfies RequestFrame)
    expect(ok).toMatchObject({ kind: 'response', id: 9, ok: true, result: { name: 'Alice B' } })
  })

  it('takes the open conversation only as an ID-sized string or null', () => {
    handlers.viewing(fromApp, 'abc')
    handlers.viewing(fromApp, null)
    handlers.viewing(fromApp, 42)
    handlers.viewing(fromApp, { id: 'abc' })
    handlers.viewing(fromApp, 'x'.repeat(129))
    handlers.viewing(fromApp, '')
    expect(viewing).toEqual(['abc', null])
  })
})

import { describe, expect, it, vi } from 'vitest'
import { createApiClient } from '../../core/api/client'
import { dispatch } from '../../core/host/dispatch'
import { CairnError } from '../../core/api/errors'
import type { CairnApi, WireFrame } from '../../core/api/types'

// The API behind the transport here is a recording stand-in: these tests are about the frames.
function recordingApi(overrides: Partial<Record<keyof CairnApi, (...a: unknown[]) => Promise<unknown>>> = {}) {
  const calls: { method: string; args: unknown[] }[] = []
  const api = new Proxy({} as CairnApi, {
    get(_t, method: string) {
      return async (...args: unknown[]) => {
        calls.push({ method, args })
        const fn = overrides[method as keyof CairnApi]
        return fn ? fn(...args) : { echoed: method, args }
      }
    }
  })
  return { api, calls }
}

describe('dispatch', () => {
  it('runs a valid request and answers with its result', async () => {
    const { api, calls } = recordingApi()
    const res = await dispatch(api, { kind: 'request', id: 7, method: 'send', args: ['abc', 'hi'] })
    expect(res).toEqual({ kind: 'response', id: 7, ok: true, result: { echoed: 'send', args: ['abc', 'hi'] } })
    expect(calls).toEqual([{ method: 'send', args: ['abc', 'hi'] }])
  })

  it('answers invalid requests with invalid-argument and never calls the API', async () => {
    const { api, calls } = recordingApi()
    const bad: unknown[] = [
      { kind: 'request', id: 1, method: 'send', args: ['abc'] },
      { kind: 'request', id: 2, method: 'constructor', args: [] },
      { kind: 'request', id: 3, method: 'send', args: 'abc' },
      { kind: 'response', id: 4, ok: true, result: 1 },
      { kind: 'request', id: 5, args: [] }
    ]
    for (const frame of bad) {
      const res = await dispatch(api, frame)
      expect(res).toMatchObject({ kind: 'response', ok: false, error: { code: 'invalid-argument' } })
    }
    expect(calls).toEqual([])
  })

  it('returns null when there is no request id to answer', async () => {
    const { api, calls } = recordingApi()
    for (const frame of [null, 'x', 42, [], {}, { id: -1 }, { id: 1.5 }, { id: '1' }, { id: 2 ** 60 }]) {
      expect(await dispatch(api, frame)).toBeNull()
    }
    expect(calls).toEqual([])
  })

  it('passes CairnErrors through and hides internal ones', async () => {
    const log = vi.fn()
    const { api } = recordingApi({
      unlock: async () => {
        throw new CairnError('wrong-passphrase', 'wrong passphrase')
      },
      contacts: async () => {
        throw new Error('EACCES /home/secret/path')
      }
    })
    expect(await dispatch(api, { kind: 'request', id: 1, method: 'unlock', args: ['x'] }, log)).toEqual({
      kind: 'response',
      id: 1,
      ok: false,
      error: { code: 'wrong-passphrase', message: 'wrong passphrase' }
    })
    expect(log).not.toHaveBeenCalled()
    const res = await dispatch(api, { kind: 'request', id: 2, method: 'contacts', args: [] }, log)
    expect(res).toMatchObject({ ok: false, error: { code: 'internal' } })
    expect(JSON.stringify(res)).not.toContain('secret')
    expect(log).toHaveBeenCalledOnce()
  })
})

describe('createApiClient over dispatch', () => {
  function loop(api: CairnApi) {
    const sent: WireFrame[] = []
    const client = createApiClient((frame) => {
      sent.push(frame)
      // Through JSON, as the WebSocket and control-socket transports do.
      const wire = JSON.parse(JSON.stringify(frame))
      void dispatch(api, wire).then((res) => res && client.receive(JSON.parse(JSON.stringify(res))))
    })
    return { client, sent }
  }

  it('turns calls into frames and resolves with the results', async () => {
    const { api } = recordingApi()
    const { client, sent } = loop(api)
    await expect(client.api.send('abc', 'hello')).resolves.toEqual({ echoed: 'send', args: ['abc', 'hello'] })
    await expect(client.api.history('abc')).resolves.toEqual({ echoed: 'history', args: ['abc'] })
    // an omitted optional argument is not sent as null
    await expect(client.api.acceptRequest('abc', undefined)).resolves.toEqual({ echoed: 'acceptRequest', args: ['abc'] })
    expect(sent.map((f) => f.kind === 'request' && f.id)).toEqual([1, 2, 3])
  })

  it('rejects with a CairnError carrying the code', async () => {
    const { api } = recordingApi({
      addContact: async () => {
        throw new CairnError('invalid-contact-id', 'checksum does not match')
      }
    })
    const { client } = loop(api)
    const err = await client.api.addContact('abc', 'bob').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CairnError)
    expect(err).toMatchObject({ code: 'invalid-contact-id', message: 'checksum does not match' })
    await expect(client.api.addContact('abc', 'x'.repeat(65))).rejects.toMatchObject({ code: 'invalid-argument' })
  })

  it('delivers events to listeners until they unsubscribe', () => {
    const client = createApiClient(() => {})
    const seen: string[] = []
    const off = client.onEvent((e) => seen.push(e.type))
    client.onEvent(() => {
      throw new Error('a broken listener does not stop the others')
    })
    const errSpy = vi.spyOn(console, 'error').mockImplementation(() => {})
    client.receive({ kind: 'event', event: { type: 'locked' } })
    off()
    client.receive({ kind: 'event', event: { type: 'locked' } })
    errSpy.mockRestore()
    expect(seen).toEqual(['locked'])
  })

  it('ignores stray and malformed frames, and close() rejects what is pending', async () => {
    const client = createApiClient(() => {})
    const pending = client.api.contacts()
    client.receive({ kind: 'response', id: 99, ok: true, result: 1 })
    client.receive(null as unknown as WireFrame)
    client.receive({ kind: 'response', id: 1, ok: false, error: 'nope' } as unknown as WireFrame)
    await expect(pending).rejects.toMatchObject({ code: 'internal', message: 'malformed response from Cairn' })
    const second = client.api.contacts()
    client.close()
    await expect(second).rejects.toMatchObject({ code: 'internal' })
    await expect(client.api.contacts()).rejects.toMatchObject({ code: 'internal' })
  })

  it('is not mistaken for a promise', async () => {
    const client = createApiClient(() => {})
    expect((client.api as unknown as { then?: unknown }).then).toBeUndefined()
    await expect(Promise.resolve(client.api)).resolves.toBe(client.api)
  })
})

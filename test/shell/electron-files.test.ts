// Electron's file handling in plain Node, over real nodes on a loopback testnet: the app scheme's
// file route with range requests (what a player asks for), its path checks and its refusal to serve
// a peer's bytes as anything but media or plain bytes; Save through the save dialog and Open with the
// system, with the paths they may use checked; the IPC handlers that front them.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fileRoutePath, parseFileRoute } from '../../core/api/bridge'
import type { Message } from '../../core/api/types'
import { serveAppRequest } from '../../electron/app-protocol'
import { APP_ENTRY, APP_ORIGIN } from '../../electron/app-url'
import { checkSaveTarget, FileActions, isRunnable } from '../../electron/file-actions'
import { parseRange, responseType } from '../../electron/file-route'
import { createIpcHandlers, type IpcSender } from '../../electron/ipc'
import { Fixture, pair, waitFor, type Node } from '../helpers/core'
import { patternBytes } from '../helpers/blobs'

const f = new Fixture()
let a: Node
let b: Node
let aId: string
let bId: string
let root: string
let work: string
/** Bob's copies of what Alice sent, by name. */
const got = new Map<string, Message>()
const BIG = patternBytes(700 * 1024 + 13, 9)

beforeAll(async () => {
  ;({ a, b, aId, bId } = await pair(f))
  work = await f.dir()
  root = join(work, 'renderer')
  await mkdir(root)
  await writeFile(join(root, 'index.html'), '<!doctype html>')
  const files: Array<[string, Buffer]> = [
    ['clip.webm', BIG],
    ['page.html', Buffer.from('<script>alert(1)</script>')],
    ['setup.sh', Buffer.from('#!/bin/sh\nrm -rf ~\n')],
    ['empty.txt', Buffer.alloc(0)]
  ]
  for (const [name, bytes] of files) {
    const path = join(work, name)
    await writeFile(path, bytes)
    await a.host.sendFile(bId, path)
  }
  await waitFor('Bob has all four', () => b.of('message').filter((e) => e.message.file).length === files.length)
  for (const e of b.of('message')) if (e.message.file) got.set(e.message.file.name, e.message)
  for (const name of ['clip.webm', 'page.html', 'setup.sh']) await b.host.downloadFile(aId, got.get(name)!.id)
}, 120_000)

afterAll(() => f.cleanup())

const url = (name: string) => `${APP_ORIGIN}${fileRoutePath(aId, got.get(name)!.id)}`
const serve = (target: string, range: string | null = null, method = 'GET') => serveAppRequest(root, { url: target, method, range }, b.host)

describe('the file route', () => {
  it('serves a whole file and any byte range of it, as a player asks', async () => {
    const whole = await serve(url('clip.webm'))
    expect(whole.status).toBe(200)
    expect(whole.headers.get('content-type')).toBe('video/webm')
    expect(whole.headers.get('accept-ranges')).toBe('bytes')
    expect(Buffer.from(await whole.arrayBuffer()).equals(BIG)).toBe(true)

    const cases: Array<[string, number, number]> = [
      ['bytes=0-0', 0, 0],
      ['bytes=65530-300000', 65530, 300000],
      [`bytes=${BIG.length - 10}-`, BIG.length - 10, BIG.length - 1],
      ['bytes=-100', BIG.length - 100, BIG.length - 1],
      [`bytes=100-${BIG.length + 5000}`, 100, BIG.length - 1]
    ]
    for (const [range, start, end] of cases) {
      const res = await serve(url('clip.webm'), range)
      expect(res.status, range).toBe(206)
      expect(res.headers.get('content-range')).toBe(`bytes ${start}-${end}/${BIG.length}`)
      expect(res.headers.get('content-length')).toBe(String(end + 1 - start))
      expect(Buffer.from(await res.arrayBuffer()).equals(BIG.subarray(start, end + 1)), range).toBe(true)
    }
    const past = await serve(url('clip.webm'), `bytes=${BIG.length}-`)
    expect([past.status, past.headers.get('content-range')]).toEqual([416, `bytes */${BIG.length}`])
    const head = await serve(url('clip.webm'), null, 'HEAD')
    expect([head.status, head.headers.get('content-length'), (await head.arrayBuffer()).byteLength]).toEqual([200, String(BIG.length), 0])
    expect((await serve(url('clip.webm'), null, 'POST')).status).toBe(405)
  })

  it("serves a peer's page or script only as sandboxed plain bytes, and nothing not yet verified", async () => {
    const html = await serve(url('page.html'))
    expect(html.headers.get('content-type')).toBe('application/octet-stream')
    expect(html.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'")
    expect(html.headers.get('x-content-type-options')).toBe('nosniff')
    expect((await serve(url('empty.txt'))).status, 'offered, not downloaded').toBe(409)
  })

  it('refuses every path that is not exactly a contact and a message of this profile', async () => {
    const id = got.get('clip.webm')!.id
    const bad = [
      `/files/${aId}/${id}/x`,
      `/files/${aId}/..%2f${id}`,
      `/files/${aId}%2F${id}`,
      `/files/`,
      `/files/${aId}`,
      `/files/${aId.toUpperCase()}/${id}`,
      `/files/${aId}/${id.slice(0, -1)}9999`,
      `/files/${bId}/${id}`,
      `/files/${aId}/${id}?download=1`
    ]
    for (const path of bad) expect((await serve(`${APP_ORIGIN}${path}`)).status, path).toBe(404)
    expect((await serve(`cairn://evil${fileRoutePath(aId, id)}`)).status).toBe(404)
    expect((await serve(`${APP_ORIGIN}/index.html`)).status, 'the build is still served beside it').toBe(200)
    expect(parseFileRoute(`/files/${aId}/${id}`)).toEqual({ contact: aId, message: id })
  })

  it('reads ranges and types by the rules', () => {
    expect(parseRange(null, 10)).toBeNull()
    expect(parseRange('bytes=0-1,4-5', 10)).toBeNull()
    expect(parseRange('items=0-1', 10)).toBeNull()
    expect(parseRange('bytes=5-2', 10)).toBeNull()
    expect(parseRange('bytes=-0', 10)).toBe('unsatisfiable')
    expect(parseRange('bytes=0-', 0)).toBe('unsatisfiable')
    expect(parseRange('bytes=-50', 10)).toEqual({ start: 0, end: 9 })
    expect(['image/png', 'image/svg+xml', 'audio/vnd.cairn.voice+ogg', 'text/html', 'video/mp4'].map(responseType)).toEqual([
      'image/png',
      'application/octet-stream',
      'audio/ogg',
      'application/octet-stream',
      'video/mp4'
    ])
  })
})

describe('Save and Open', () => {
  function actions(dialogAnswer: string | null, opened: string[]): FileActions {
    return new FileActions({
      host: b.host,
      profileDir: b.dir,
      downloadsDir: join(work, 'downloads'),
      openDir: join(work, 'opened'),
      showSaveDialog: async () => dialogAnswer,
      openPath: async (path) => (opened.push(path), '')
    })
  }

  it('saves where the dialog says, under the name chosen there, and never inside the profile', async () => {
    const out = join(work, 'chosen')
    await mkdir(out)
    const target = join(out, 'my clip.webm')
    expect(await actions(target, []).save(aId, got.get('clip.webm')!.id)).toBe(target)
    expect((await readFile(target)).equals(BIG)).toBe(true)
    expect(await actions(null, []).save(aId, got.get('clip.webm')!.id), 'cancelled').toBeNull()
    await expect(actions(join(b.dir, 'cores', 'x.webm'), []).save(aId, got.get('clip.webm')!.id)).rejects.toMatchObject({ code: 'invalid-argument' })
    await expect(actions('relative/x.webm', []).save(aId, got.get('clip.webm')!.id)).rejects.toMatchObject({ code: 'invalid-argument' })
    await expect(actions(target, []).save(aId, got.get('empty.txt')!.id)).rejects.toMatchObject({ code: 'file-refused' })
    expect(checkSaveTarget('/tmp/../tmp/a', '/home/x/profile')).toBe('/tmp/a')
  })

  it('opens with the system from a private folder, refuses what would run, and clears the folder at close', async () => {
    const opened: string[] = []
    const act = actions(null, opened)
    await act.open(aId, got.get('clip.webm')!.id)
    expect(opened).toHaveLength(1)
    expect(opened[0].startsWith(join(work, 'opened'))).toBe(true)
    expect((await readFile(opened[0])).equals(BIG)).toBe(true)
    await expect(act.open(aId, got.get('setup.sh')!.id)).rejects.toMatchObject({ code: 'file-refused', message: /could run as a program/ })
    expect(opened).toHaveLength(1)
    expect([isRunnable('a.EXE'), isRunnable('x.desktop'), isRunnable('notes.txt'), isRunnable('README')]).toEqual([true, true, false, false])
    await act.close()
    await expect(readdir(join(work, 'opened'))).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('the IPC handlers check the sender and the arguments before acting', async () => {
    const opened: string[] = []
    const handlers = createIpcHandlers({ host: b.host, onViewing: () => undefined, onNotificationPrefs: () => undefined, files: actions(null, opened) })
    const fromApp: IpcSender = { senderFrame: { url: APP_ENTRY } }
    const id = got.get('clip.webm')!.id
    expect(await handlers.saveFile(fromApp, aId, id)).toEqual({ ok: true, value: null })
    expect(await handlers.openFile({ senderFrame: { url: 'https://evil.example/' } }, aId, id)).toMatchObject({ ok: false, error: { code: 'unauthorized' } })
    for (const [contact, message] of [[aId, '../x'], [42, id], [aId, { id }], ['x'.repeat(200), id]]) {
      expect(await handlers.openFile(fromApp, contact, message)).toMatchObject({ ok: false, error: { code: 'invalid-argument' } })
    }
    expect(await handlers.openFile(fromApp, aId, got.get('setup.sh')!.id)).toMatchObject({ ok: false, error: { code: 'file-refused' } })
    expect(opened).toEqual([])
    expect(await handlers.openFile(fromApp, aId, id)).toEqual({ ok: true, value: undefined })
    expect(opened).toHaveLength(1)
  })
})

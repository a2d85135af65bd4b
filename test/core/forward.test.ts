// Forwarding a file to another contact, the auto-download size the user sets, and voice notes
// declared as such, on real nodes over a loopback testnet.
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, expect, it } from 'vitest'
import type { Message } from '../../core/api/types'
import { Fixture, pair, PASS, waitFor, type Node } from '../helpers/core'
import { patternBytes, writePattern } from '../helpers/blobs'

const f = new Fixture()
afterEach(() => f.cleanup())

function offered(node: Node, name: string): Message | undefined {
  return node.of('message').find((e) => e.message.direction === 'in' && e.message.file?.name === name)?.message
}

async function upload(node: Node, bytes: Buffer): Promise<string> {
  const id = await node.host.beginUpload(bytes.length)
  await node.host.uploadPiece(id, bytes.toString('base64'))
  return id
}

async function befriend(x: Node, xId: string, y: Node, yId: string): Promise<void> {
  await x.host.addContact(yId, 'y')
  await y.host.addContact(xId, 'x')
  await waitFor('connected', async () => (await x.host.contacts()).some((c) => c.id === yId && c.presence !== 'offline'))
}

it('a file is forwarded to another contact with its chunks copied, downloaded first when it had not arrived', async () => {
  const { a, b, aId, bId } = await pair(f)
  const c = await f.host()
  const cId = (await c.host.create('Carol', PASS)).id
  await befriend(b, bId, c, cId)
  const dir = await f.dir()
  const bytes = await writePattern(join(dir, 'plan.bin'), 20 * 64 * 1024 + 5, 3)
  const sent = await a.host.sendFile(bId, join(dir, 'plan.bin'))
  await waitFor('B is offered the file', () => offered(b, 'plan.bin') !== undefined)
  const atB = offered(b, 'plan.bin')!
  expect(atB.file!.state).toBe('offered')

  const forwarded = await b.host.forwardFile(aId, atB.id, cId)
  expect(forwarded).toMatchObject({ contact: cId, direction: 'out', file: { name: 'plan.bin', size: bytes.length, state: 'ready', id: sent.file!.id } })
  expect((await b.host.history(aId)).messages[0].file!.state, 'downloaded on the way').toBe('ready')

  await waitFor('Carol is offered it', () => offered(c, 'plan.bin') !== undefined)
  const atC = offered(c, 'plan.bin')!
  await c.host.downloadFile(bId, atC.id)
  const out = join(dir, 'carol')
  await mkdir(out)
  expect((await readFile(await c.host.saveFile(bId, atC.id, out))).equals(bytes)).toBe(true)

  // My own file forwards too, and what carries no file or names no contact is refused.
  const back = await b.host.forwardFile(cId, forwarded.id, aId)
  await waitFor('A is offered it back', () => offered(a, 'plan.bin') !== undefined)
  expect(back.file!.id).toBe(sent.file!.id)
  const text = await b.host.send(aId, 'just words')
  await expect(b.host.forwardFile(aId, text.id, cId)).rejects.toMatchObject({ code: 'not-found' })
  await expect(b.host.forwardFile(aId, atB.id, bId)).rejects.toMatchObject({ code: 'not-found' })
  await b.host.blockContact(cId)
  await expect(b.host.forwardFile(aId, atB.id, cId)).rejects.toMatchObject({ code: 'blocked' })
}, 90_000)

it('the auto-download size is the user\'s, kept in the profile; voice notes go as declared and download by themselves', async () => {
  const { a, b, bId } = await pair(f)
  expect((await b.host.settings()).autoDownloadBytes).toBe(8 * 1024 * 1024)
  await expect(b.host.updateSettings({ autoDownloadBytes: -1 })).rejects.toMatchObject({ code: 'invalid-argument' })
  expect(await b.host.updateSettings({ autoDownloadBytes: 100_000 })).toMatchObject({ autoDownloadBytes: 100_000 })

  const voice = patternBytes(60_000, 5)
  const small = await a.host.sendUpload(bId, await upload(a, voice), 'voice-note.webm', 'audio/vnd.cairn.voice+webm')
  expect(small.file!.mediaType).toBe('audio/vnd.cairn.voice+webm')
  await expect(a.host.sendUpload(bId, await upload(a, voice), 'x.html', 'text/html' as never)).rejects.toMatchObject({ code: 'invalid-argument' })
  const big = await a.host.sendUpload(bId, await upload(a, patternBytes(150_000, 6)), 'long.webm', 'audio/vnd.cairn.voice+webm')
  await a.host.send(bId, 'after the notes')
  await waitFor('B has both notes and the text', () =>
    b.of('message').some((e) => e.message.text === 'after the notes') && offered(b, 'long.webm') !== undefined
  )
  const progressOf = (id: string) => b.of('file-progress').filter((e) => e.progress.message === id).map((e) => e.progress.state)
  await waitFor('the short note downloads by itself', () => progressOf(offered(b, 'voice-note.webm')!.id).includes('ready'))
  expect(progressOf(offered(b, 'long.webm')!.id), 'over the size set: not fetched').toEqual([])
  expect(big.file!.size).toBe(150_000)

  await b.host.lock()
  await b.host.unlock(PASS)
  expect((await b.host.settings()).autoDownloadBytes, 'kept across a restart').toBe(100_000)
  await b.host.updateSettings({ autoDownloadBytes: 0 })
  const next = await a.host.sendUpload(bId, await upload(a, patternBytes(1000, 7)), 'tiny.webm', 'audio/vnd.cairn.voice+webm')
  await a.host.send(bId, 'after the tiny one')
  await waitFor('B has the tiny note and the text', () => b.of('message').some((e) => e.message.text === 'after the tiny one'))
  expect(progressOf(offered(b, 'tiny.webm')!.id), '0: nothing downloads by itself').toEqual([])
  expect(next.file!.mediaType).toBe('audio/vnd.cairn.voice+webm')
}, 90_000)

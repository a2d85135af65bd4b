import sharp from 'sharp'
import { mkdir, readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, expect, it } from 'vitest'
import { Fixture, pair, PASS, waitFor } from '../helpers/core'
import { writePattern } from '../helpers/blobs'

const f = new Fixture()
afterEach(() => f.cleanup())

it('a photo arrives with its preview and downloads by itself; a large file waits, then downloads, saves and deletes', async () => {
  const { a, b, aId, bId } = await pair(f)
  const dir = await f.dir()
  const photo = join(dir, 'cat.jpg')
  await sharp({ create: { width: 640, height: 480, channels: 3, background: '#c08040' } })
    .withExif({ IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 2959/100' } })
    .jpeg()
    .toFile(photo)
  const sent = await a.host.sendFile(bId, photo)
  expect(sent.file).toMatchObject({ name: 'cat.jpg', mediaType: 'image/jpeg', state: 'ready', width: 640, height: 480 })

  await waitFor('B is offered the photo', () => b.of('message').some((e) => e.message.file?.name === 'cat.jpg'))
  const offered = b.of('message').find((e) => e.message.file?.name === 'cat.jpg')!.message
  expect(offered.file!.preview).toMatch(/^data:image\/jpeg;base64,/)
  await waitFor('the photo downloads by itself', () =>
    b.of('file-progress').some((e) => e.progress.message === offered.id && e.progress.state === 'ready')
  )
  expect((await b.host.history(aId)).messages[0].file?.state).toBe('ready')
  const head = Buffer.from(await b.host.readFile(aId, offered.id, 0, 4), 'base64')
  expect([...head.subarray(0, 2)]).toEqual([0xff, 0xd8])

  const big = join(dir, 'data.bin')
  const bytes = await writePattern(big, 9 * 1024 * 1024)
  const bigMsg = await a.host.sendFile(bId, big, 'report.bin')
  await waitFor('B is offered the file', () => b.of('message').some((e) => e.message.file?.name === 'report.bin'))
  const bigIn = b.of('message').find((e) => e.message.file?.name === 'report.bin')!.message
  expect(bigIn.file!.state).toBe('offered')
  await b.host.downloadFile(aId, bigIn.id)
  const progress = b.of('file-progress').filter((e) => e.progress.message === bigIn.id)
  expect(progress.at(-1)!.progress).toMatchObject({ state: 'ready', bytes: bytes.length, size: bytes.length })
  const out = join(dir, 'downloads')
  await mkdir(out)
  const saved = await b.host.saveFile(aId, bigIn.id, out)
  expect((await readFile(saved)).equals(bytes)).toBe(true)

  await b.host.deleteMessage(aId, bigIn.id)
  expect((await b.host.history(aId)).messages.map((m) => m.id)).not.toContain(bigIn.id)
  expect(b.of('messages-deleted')).toContainEqual({ type: 'messages-deleted', contact: aId, ids: [bigIn.id] })
  await a.host.clearConversation(PASS, bId)
  await expect(a.host.readFile(bId, bigMsg.id, 0, 1)).rejects.toMatchObject({ code: 'not-found' })
  expect(a.of('messages-deleted')).toContainEqual({ type: 'messages-deleted', contact: bId, ids: 'all' })
  expect(await readdir(out)).toEqual(['report.bin'])
})

it('a page without paths uploads in pieces; bad uploads and unknown messages are refused clearly', async () => {
  const { a, b, bId, aId } = await pair(f)
  const upload = await a.host.beginUpload(11)
  await a.host.uploadPiece(upload, Buffer.from('hello ').toString('base64'))
  await a.host.uploadPiece(upload, Buffer.from('world').toString('base64'))
  const m = await a.host.sendUpload(bId, upload, 'greeting.txt')
  expect(m.file).toMatchObject({ name: 'greeting.txt', mediaType: 'text/plain', size: 11 })
  await waitFor('B is offered it', () => b.of('message').some((e) => e.message.file?.name === 'greeting.txt'))
  const got = b.of('message').find((e) => e.message.file?.name === 'greeting.txt')!.message
  await expect(b.host.saveFile(aId, got.id, '/tmp')).rejects.toMatchObject({ code: 'file-refused' })
  await expect(b.host.downloadFile(aId, 'nope-1')).rejects.toMatchObject({ code: 'not-found' })
  await expect(a.host.sendFile(bId, '/nonexistent/file')).rejects.toMatchObject({ code: 'not-found' })
  await expect(a.host.sendUpload(bId, upload, 'again.txt')).rejects.toMatchObject({ code: 'not-found' })
  const real = join(await f.dir(), 'x')
  await writePattern(real, 10)
  await expect(a.host.sendFile(bId, real, '../evil')).rejects.toMatchObject({ code: 'file-refused', message: /path separator/ })
})

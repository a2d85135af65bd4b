// A sender that declares a hash its bytes do not have. The chunks authenticate (the sender holds the
// key), so the download completes with the chunks kept sealed; the lie shows when the file is first
// used whole. Saving it, or forwarding it, must then fail clearly, erase the replica's copy, put the
// message back to "not downloaded", raise a security event, write nothing, and leave the
// conversation working.
import { mkdir, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, expect, it } from 'vitest'
import type { Message } from '../../core/api/types'
import { decodeDescriptor, type FileDescriptor } from '../../core/blobs'
import type { FileShelf } from '../../core/messenger/conversation-files'
import { Fixture, pair, PASS, waitFor, type Node } from '../helpers/core'
import { writePattern } from '../helpers/blobs'
import { messengerOf } from '../helpers/tamper'

const f = new Fixture()
afterEach(() => f.cleanup())

function shelf(node: Node, contactId: string): FileShelf {
  const { directory } = messengerOf(node.host) as unknown as { directory: { require(id: string): { files: FileShelf } } }
  return directory.require(contactId).files
}

/** Every file `node` sends to `contactId` from now on declares a hash one bit off its content's. */
function lieAboutHashes(node: Node, contactId: string): void {
  const files = (shelf(node, contactId) as unknown as { files: { send(...a: unknown[]): Promise<FileDescriptor> } }).files
  const send = files.send.bind(files)
  files.send = async (...a: unknown[]) => {
    const d = await send(...a)
    const hash = Buffer.from(d.hash)
    hash[0] ^= 1
    return { ...d, hash }
  }
}

async function chunksHeld(node: Node, contactId: string, message: string): Promise<number> {
  const s = shelf(node, contactId)
  const { m } = await s.message(message)
  const d = decodeDescriptor(Buffer.from(m.file!, 'hex'))
  return (s as unknown as { files: { chunksStored(d: FileDescriptor): Promise<number> } }).files.chunksStored(d)
}

function offered(node: Node, name: string): Message | undefined {
  return node.of('message').find((e) => e.message.direction === 'in' && e.message.file?.name === name)?.message
}

it('a file whose hash is a lie downloads, then fails its save: erased, not ready, a security event, nothing written', async () => {
  const { a, b, aId, bId } = await pair(f)
  lieAboutHashes(a, bId)
  const dir = await f.dir()
  await writePattern(join(dir, 'report.bin'), 5 * 64 * 1024 + 7)
  await a.host.sendFile(bId, join(dir, 'report.bin'))
  await waitFor('B is offered the file', () => offered(b, 'report.bin') !== undefined)
  const msg = offered(b, 'report.bin')!

  await b.host.downloadFile(aId, msg.id)
  expect((await b.host.fileInfo(aId, msg.id)).state).toBe('ready')
  expect(await chunksHeld(b, aId, msg.id)).toBe(6)
  expect(b.of('security')).toEqual([])

  const out = join(dir, 'downloads')
  await mkdir(out)
  await expect(b.host.saveFile(aId, msg.id, out)).rejects.toMatchObject({ code: 'file-refused', message: /does not match the hash/ })
  expect(await readdir(out), 'no file and no part file left').toEqual([])
  expect(await chunksHeld(b, aId, msg.id), 'the replica erased it').toBe(0)
  expect((await b.host.fileInfo(aId, msg.id)).state).toBe('failed')
  expect((await b.host.history(aId)).messages.find((m) => m.id === msg.id)!.file!.state).toBe('failed')
  const security = b.of('security').map((e) => e.event)
  expect(security).toHaveLength(1)
  expect(security[0]).toMatchObject({ contact: aId, kind: 'protocol-violation', detail: expect.stringMatching(/report\.bin.*failed its check/) })
  await expect(b.host.saveFile(aId, msg.id, out)).rejects.toMatchObject({ code: 'file-refused', message: /not downloaded/ })

  // After a restart the message is still not downloaded, and the conversation goes on.
  await b.host.lock()
  await b.host.unlock(PASS)
  expect((await b.host.fileInfo(aId, msg.id)).state).toBe('offered')
  await a.host.send(bId, 'still talking')
  await waitFor('B reads on', () => b.of('message').some((e) => e.message.text === 'still talking'))
}, 90_000)

it('a lying file is not forwarded: its hash is checked before its chunks are re-used', async () => {
  const { a, b, aId, bId } = await pair(f)
  const c = await f.host()
  const cId = (await c.host.create('Carol', PASS)).id
  await b.host.addContact(cId, 'Carol')
  await c.host.addContact(bId, 'Bob')
  await waitFor('B and C connected', async () => (await b.host.contacts()).some((x) => x.id === cId && x.presence !== 'offline'))
  lieAboutHashes(a, bId)
  const dir = await f.dir()
  await writePattern(join(dir, 'plan.bin'), 3 * 64 * 1024)
  await a.host.sendFile(bId, join(dir, 'plan.bin'))
  await waitFor('B is offered the file', () => offered(b, 'plan.bin') !== undefined)
  const msg = offered(b, 'plan.bin')!

  await expect(b.host.forwardFile(aId, msg.id, cId)).rejects.toMatchObject({ code: 'file-refused', message: /does not match the hash/ })
  expect(await chunksHeld(b, aId, msg.id)).toBe(0)
  expect((await b.host.fileInfo(aId, msg.id)).state).toBe('failed')
  expect(b.of('security').map((e) => e.event.detail)).toEqual([expect.stringMatching(/plan\.bin.*failed its check/)])
  const history = (await b.host.history(cId)).messages
  expect(history.filter((m) => m.file), 'nothing was sent to Carol').toEqual([])
}, 90_000)

it('a page that saves through readFile asks verifyFile first: refused the same way, and the file is erased', async () => {
  const { a, b, aId, bId } = await pair(f)
  lieAboutHashes(a, bId)
  const dir = await f.dir()
  await writePattern(join(dir, 'page.bin'), 2 * 64 * 1024 + 1)
  await a.host.sendFile(bId, join(dir, 'page.bin'))
  await waitFor('B is offered the file', () => offered(b, 'page.bin') !== undefined)
  const msg = offered(b, 'page.bin')!
  await expect(b.host.verifyFile(aId, msg.id)).rejects.toMatchObject({ code: 'file-refused', message: /not downloaded/ })
  await b.host.downloadFile(aId, msg.id)
  await expect(b.host.verifyFile(aId, msg.id)).rejects.toMatchObject({ code: 'file-refused', message: /does not match the hash/ })
  expect(await chunksHeld(b, aId, msg.id)).toBe(0)
  expect((await b.host.fileInfo(aId, msg.id)).state).toBe('failed')
  expect(b.of('security').map((e) => e.event.detail)).toEqual([expect.stringMatching(/page\.bin.*failed its check/)])

  // the sender's own copy is taken as sealed
  const own = join(dir, 'own.bin')
  await writePattern(own, 64 * 1024, 2)
  const mine = await a.host.sendFile(bId, own)
  await a.host.verifyFile(bId, mine.id)
}, 90_000)

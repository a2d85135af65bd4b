// Files from a hostile contact, through a real ratchet, real logs and real blob stores: a name that
// leaves the download folder, a Windows device name, a preview that is no image, a file over the
// receiver's limit, a blob the sender's store never held, chunks sealed under another key, and an
// offer naming the receiver's own store. Each is refused with a clear message (and a security event
// where only an attack explains it), nothing is written outside the download folder, and the
// conversation goes on. The sender stands in for a hostile client by rewriting the descriptors it
// sends, or, for marked texts, writing a payload of its own in place of plain text.
import { mkdir, readdir, readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type Hypercore from 'hypercore'
import { afterEach, expect, it, vi } from 'vitest'
import type { Message } from '../../core/api/types'
import { chunkCount, encodeDescriptor, type FileDescriptor } from '../../core/blobs'
import { sealedSize } from '../../core/blobs/chunks'
import type { FileShelf } from '../../core/messenger/conversation-files'
import { MAX_FILE_BYTES_DEFAULT } from '../../core/protocol/limits'
import { Fixture, pair, waitFor, type Node } from '../helpers/core'
import { writePattern } from '../helpers/blobs'
import { messengerOf } from '../helpers/tamper'

const AS_WIRE = '\u0000wire:'

vi.mock('../../core/protocol/payload', async (importActual) => {
  const actual = await importActual<typeof import('../../core/protocol/payload')>()
  return {
    ...actual,
    encodePayload: (p: Parameters<typeof actual.encodePayload>[0]) =>
      p.kind === 'text' && p.text.startsWith(AS_WIRE) ? Buffer.from(p.text.slice(AS_WIRE.length)) : actual.encodePayload(p)
  }
})

const f = new Fixture()
afterEach(() => f.cleanup())

type Conversations = { directory: { require(id: string): { files: FileShelf } } }

function shelf(node: Node, contactId: string): FileShelf {
  return (messengerOf(node.host) as unknown as Conversations).directory.require(contactId).files
}

function innerFiles(node: Node, contactId: string): { send(...a: unknown[]): Promise<FileDescriptor>; own: { core: Hypercore } } {
  return (shelf(node, contactId) as unknown as { files: ReturnType<typeof innerFiles> }).files
}

/** The next file `node` sends to `contactId` goes with its descriptor rewritten by `change`. */
function rewriteNext(node: Node, contactId: string, change: (d: FileDescriptor) => FileDescriptor): void {
  const files = innerFiles(node, contactId)
  const send = files.send.bind(files)
  files.send = async (...a: unknown[]) => {
    files.send = send
    return change(await send(...a))
  }
}

function offered(node: Node, name: string): Message | undefined {
  return node.of('message').find((e) => e.message.direction === 'in' && e.message.file?.name === name)?.message
}

it('hostile file offers are refused clearly, with security events where they are attacks, and the chat goes on', async () => {
  const { a, b, aId, bId } = await pair(f)
  const dir = await f.dir()
  const src = join(dir, 'src.bin')
  await writePattern(src, 3 * 64 * 1024 + 11, 4)
  const out = join(dir, 'downloads', 'inner')
  await mkdir(out, { recursive: true })
  const security = () => b.of('security').map((e) => e.event)

  // A name with path separators cannot even be encoded here, so it goes as bytes of our own: a real
  // descriptor whose name is swapped for one of the same length. The message is dropped whole.
  const real = await shelf(a, bId).seal(src, { name: 'XXXXXX.bashrc' })
  const wire = encodeDescriptor(real)
  const at = wire.indexOf(Buffer.from('XXXXXX.bashrc'))
  Buffer.from('../../.bashrc').copy(wire, at)
  await a.host.send(bId, AS_WIRE + JSON.stringify({ v: 1, s: Date.now(), t: '', f: wire.toString('base64') }))
  await a.host.send(bId, 'after the bashrc')
  await waitFor('the text after it', () => b.of('message').some((e) => e.message.text === 'after the bashrc'))
  expect(b.of('message').filter((e) => e.message.file)).toEqual([])
  expect(security()).toEqual([expect.objectContaining({ kind: 'protocol-violation', detail: expect.stringMatching(/path separator/) })])

  // A device name on Windows is accepted, and saved under a name that is safe everywhere.
  await a.host.sendFile(bId, src, 'CON')
  await waitFor('B is offered CON', () => offered(b, 'CON') !== undefined)
  await b.host.downloadFile(aId, offered(b, 'CON')!.id)
  const saved = await b.host.saveFile(aId, offered(b, 'CON')!.id, out)
  expect(saved).toBe(join(out, '_CON'))
  expect((await readFile(saved)).equals(await readFile(src))).toBe(true)

  // A preview that is a JPEG only by its first and last bytes.
  rewriteNext(a, bId, (d) => ({ ...d, preview: { width: 10, height: 10, jpeg: Buffer.from([0xff, 0xd8, 0xff, 1, 2, 3, 0xff, 0xd9]) } }))
  await a.host.sendFile(bId, src, 'fake.jpg')
  await waitFor('B refused the preview', () => security().length === 2)
  expect(security()[1].detail).toMatch(/preview was refused/)
  await waitFor('the fake image failed', async () => (await b.host.fileInfo(aId, offered(b, 'fake.jpg')!.id)).state === 'failed')

  // Over the receiver's limit: refused before anything is fetched; no attack, no event.
  const size = MAX_FILE_BYTES_DEFAULT + 1
  rewriteNext(a, bId, (d) => ({ ...d, size, blob: { ...d.blob, blockLength: chunkCount(size, d.chunkBytes), byteLength: sealedSize(size, d.chunkBytes) } }))
  await a.host.sendFile(bId, src, 'huge.bin')
  await waitFor('B is offered huge.bin', () => offered(b, 'huge.bin') !== undefined)
  const huge = offered(b, 'huge.bin')!
  await expect(b.host.downloadFile(aId, huge.id)).rejects.toMatchObject({ code: 'file-refused', message: /larger than the \d+ bytes accepted/ })
  expect((await b.host.fileInfo(aId, huge.id)).state).toBe('failed')

  // A blob the sender's store never held.
  rewriteNext(a, bId, (d) => ({ ...d, blob: { ...d.blob, blockOffset: d.blob.blockOffset + 1000 } }))
  await a.host.sendFile(bId, src, 'ghost.bin')
  await waitFor('B is offered ghost.bin', () => offered(b, 'ghost.bin') !== undefined)
  await expect(b.host.downloadFile(aId, offered(b, 'ghost.bin')!.id)).rejects.toMatchObject({
    code: 'file-refused',
    message: /blob store holds \d+ blocks; this file needs blocks up to \d+/
  })
  expect(security()[2].detail).toMatch(/ghost\.bin.*was refused/)

  // Chunks sealed under another key than the one declared: they arrive, and fail at the save.
  rewriteNext(a, bId, (d) => ({ ...d, key: Buffer.alloc(32, 7) }))
  await a.host.sendFile(bId, src, 'wrong-key.bin')
  await waitFor('B is offered wrong-key.bin', () => offered(b, 'wrong-key.bin') !== undefined)
  const wrongKey = offered(b, 'wrong-key.bin')!
  await b.host.downloadFile(aId, wrongKey.id)
  await expect(b.host.saveFile(aId, wrongKey.id, out)).rejects.toMatchObject({ code: 'file-refused', message: /chunk 0 of the file failed authentication/ })
  expect(security()[3].detail).toMatch(/wrong-key\.bin.*failed its check/)
  expect((await b.host.fileInfo(aId, wrongKey.id)).state).toBe('failed')

  // An offer naming the receiver's own store.
  const mine = innerFiles(b, aId).own.core.key!
  rewriteNext(a, bId, (d) => ({ ...d, core: mine }))
  await a.host.sendFile(bId, src, 'mine.bin')
  await waitFor('B refused it', () => security().length === 5)
  expect(security()[4].detail).toMatch(/my own blob store/)

  await a.host.send(bId, 'still talking')
  await waitFor('B reads on', () => b.of('message').some((e) => e.message.text === 'still talking'))
  expect(await readdir(out), 'only the one good save').toEqual(['_CON'])
  expect(await readdir(dirname(out))).toEqual(['inner'])
  expect(security().every((e) => e.contact === aId && e.kind === 'protocol-violation')).toBe(true)
}, 120_000)

import type Corestore from 'corestore'
import Hypercore from 'hypercore'
import sharp from 'sharp'
import { mkdir, readFile, readdir } from 'node:fs/promises'
import { connect, createServer, type Server } from 'node:net'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { BlobError, ConversationFiles, type TransferUpdate } from '../../core/blobs'
import { openCorestore, tempDir, writePattern } from '../helpers/blobs'

const LIMITS = { maxBytes: 64 * 1024 * 1024 }

interface Side {
  cs: Corestore
  files: ConversationFiles
  adopted: Buffer[]
  violations: string[]
  updates: TransferUpdate[]
}

let tmp: Awaited<ReturnType<typeof tempDir>>
let server: Server
let alice: Side
let bob: Side

async function side(name: string, tag: number): Promise<Side> {
  const cs = openCorestore(join(tmp.dir, name))
  const scratch = join(tmp.dir, `${name}-scratch`)
  await mkdir(scratch)
  const s: Side = { cs, adopted: [], violations: [], updates: [], files: null as unknown as ConversationFiles }
  s.files = new ConversationFiles(cs, Buffer.alloc(32, tag), scratch, null, {
    adopt: async (key) => void s.adopted.push(key),
    violation: (detail) => s.violations.push(detail),
    progress: (u) => s.updates.push(u),
    delivered: () => undefined
  })
  await s.files.open()
  return s
}

/** One connection between the two, as a peer link would be: a Noise stream over loopback TCP, each store attached to it alone. */
async function link(): Promise<void> {
  server = createServer((socket) => {
    const stream = Hypercore.createProtocolStream(false)
    socket.pipe(stream).pipe(socket)
    alice.files.replicateOver(stream)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const socket = connect((server.address() as { port: number }).port, '127.0.0.1')
  const stream = Hypercore.createProtocolStream(true)
  socket.pipe(stream).pipe(socket)
  bob.files.replicateOver(stream)
}

beforeEach(async () => {
  tmp = await tempDir()
  alice = await side('alice', 1)
  bob = await side('bob', 2)
  await link()
})
afterEach(async () => {
  server.close()
  await alice.files.close()
  await bob.files.close()
  await alice.cs.close()
  await bob.cs.close()
  await tmp.cleanup()
})

it('a photo goes with a preview and without its GPS position; the contact learns the store, fetches and saves it', async () => {
  const photo = join(tmp.dir, 'beach.jpg')
  await sharp({ create: { width: 1200, height: 800, channels: 3, background: '#3080c0' } })
    .withExif({ IFD0: { Make: 'SecretCam' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 2959/100' } })
    .jpeg()
    .toFile(photo)
  const d = await alice.files.send(photo)
  expect(d).toMatchObject({ name: 'beach.jpg', mediaType: 'image/jpeg', preview: { width: 1200, height: 800 } })
  expect(await readdir(join(tmp.dir, 'alice-scratch'))).toEqual([])

  await bob.files.offered(d, LIMITS)
  expect(bob.adopted.map((k) => k.equals(d.core))).toEqual([true])
  await bob.files.fetch(d, LIMITS)
  expect(bob.updates.at(-1)?.state).toBe('complete')
  const out = join(tmp.dir, 'downloads')
  await mkdir(out)
  const saved = await bob.files.save(d, out, LIMITS)
  const meta = await sharp(saved).metadata()
  expect([meta.width, meta.height, meta.exif]).toEqual([1200, 800, undefined])
  expect((await readFile(saved)).includes(Buffer.from('SecretCam'))).toBe(false)

  await bob.files.delete(d)
  await alice.files.delete(d)
  expect(await bob.files.chunksStored(d)).toBe(0)
  expect(await alice.files.chunksStored(d)).toBe(0)
})

it('other files go as they are, typed by their extension', async () => {
  const bytes = await writePattern(join(tmp.dir, 'talk.ogg'), 300_000)
  const d = await alice.files.send(join(tmp.dir, 'talk.ogg'), { name: 'voice note.ogg' })
  expect(d).toMatchObject({ name: 'voice note.ogg', mediaType: 'audio/ogg', preview: null, size: 300_000 })
  await bob.files.offered(d, LIMITS)
  const parts: Buffer[] = []
  for await (const p of bob.files.read(d, 1000, 100_000)) parts.push(p)
  expect(Buffer.concat(parts).equals(bytes.subarray(1000, 101_000))).toBe(true)
})

it('an offer naming my own store, or a store other than the one learnt, is a violation and refused', async () => {
  await writePattern(join(tmp.dir, 'a.bin'), 1000)
  const first = await alice.files.send(join(tmp.dir, 'a.bin'))
  await bob.files.offered(first, LIMITS)
  const mine = await bob.files.send(join(tmp.dir, 'a.bin'))
  const expectRefused = async (p: Promise<unknown>): Promise<void> => {
    const err = await p.then(() => null, (e: unknown) => e)
    expect((err as BlobError).code).toBe('wrong-store')
  }
  await expectRefused(bob.files.offered(mine, LIMITS))
  await expectRefused(bob.files.offered({ ...first, core: Buffer.alloc(32, 0xee) }, LIMITS))
  expect(bob.violations).toHaveLength(2)
  const big = await bob.files.offered(first, { maxBytes: 10 }).then(() => null, (e: unknown) => e)
  expect((big as BlobError).code).toBe('too-large')
})

it('a download asked for while the offer is still opening their store waits for it (no false violation)', async () => {
  await writePattern(join(tmp.dir, 'quick.bin'), 200_000)
  const d = await alice.files.send(join(tmp.dir, 'quick.bin'))
  const offer = bob.files.offered(d, LIMITS)
  await bob.files.fetch(d, LIMITS)
  await offer
  expect(bob.updates.at(-1)?.state).toBe('complete')
  expect(bob.violations).toEqual([])
})

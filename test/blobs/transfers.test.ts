import type Corestore from 'corestore'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { BlobError, BlobStore, DEFAULT_AUTO_DOWNLOAD, Transfers, wantsAutoDownload, type FileDescriptor, type TransferUpdate } from '../../core/blobs'
import { openCorestore, replicateTo, serveReplication, tempDir, writePattern } from '../helpers/blobs'
import { samplePlainFile } from './samples'

const LIMITS = { maxBytes: 1 << 30 }
const CHUNK = 64 * 1024

let tmp: Awaited<ReturnType<typeof tempDir>>
let senderCs: Corestore
let receiverCs: Corestore
let server: Awaited<ReturnType<typeof serveReplication>> | null
let own: BlobStore

beforeEach(async () => {
  tmp = await tempDir()
  senderCs = openCorestore(join(tmp.dir, 'sender'))
  receiverCs = openCorestore(join(tmp.dir, 'receiver'))
  server = await serveReplication(senderCs)
  replicateTo(receiverCs, server.port)
  own = await BlobStore.openOwn(senderCs, Buffer.alloc(32, 4))
})
afterEach(async () => {
  await server?.close()
  await receiverCs.close()
  await senderCs.close()
  await tmp.cleanup()
})

async function offer(size: number, name = 'f.bin'): Promise<{ d: FileDescriptor; bytes: Buffer }> {
  const bytes = await writePattern(join(tmp.dir, name), size)
  return { d: await own.putFile(join(tmp.dir, name), { name }), bytes }
}

it('a fetched file is kept sealed in the replica and saved later with the sender gone', async () => {
  const { d, bytes } = await offer(10 * CHUNK + 5)
  const theirs = await BlobStore.openPeer(receiverCs, d.core)
  const updates: TransferUpdate[] = []
  const transfers = new Transfers((u) => updates.push(u), 0)
  await Promise.all([transfers.fetch(theirs, d, LIMITS), transfers.fetch(theirs, d, LIMITS)])
  expect(updates.filter((u) => u.bytes === 0 && u.state === 'downloading')).toHaveLength(1)
  expect(updates.at(-1)).toMatchObject({ state: 'complete', bytes: d.size, size: d.size, secondsLeft: 0 })
  const middle = updates.filter((u) => u.state === 'downloading' && u.bytes > 0)
  expect(middle.length).toBeGreaterThan(0)
  expect(middle.every((u, i) => i === 0 || u.bytes >= middle[i - 1].bytes)).toBe(true)
  expect(await theirs.chunksStored(d)).toBe(11)

  await server!.close()
  server = null
  const path = await theirs.save(d, tmp.dir, LIMITS, { timeout: 1000 })
  expect((await readFile(path)).equals(bytes)).toBe(true)
})

it('a transfer keeps the chunks sealed; a lying hash fails the save with its reason and erases the useless blocks', async () => {
  const { d } = await offer(3 * CHUNK)
  const theirs = await BlobStore.openPeer(receiverCs, d.core)
  const updates: TransferUpdate[] = []
  const transfers = new Transfers((u) => updates.push(u))
  const hash = Buffer.from(d.hash)
  hash[31] ^= 0x80
  const lying = { ...d, hash }
  await transfers.fetch(theirs, lying, LIMITS)
  expect(updates.at(-1)).toMatchObject({ state: 'complete', bytes: d.size })
  expect(await theirs.chunksStored(d)).toBe(3)
  const err = await theirs.save(lying, tmp.dir, LIMITS).catch((e: unknown) => e)
  expect(err).toBeInstanceOf(BlobError)
  expect((err as BlobError).code).toBe('hash-mismatch')
  expect(await theirs.chunksStored(d)).toBe(0)
  expect(await readdir(tmp.dir)).not.toContain(expect.stringContaining('cairn-part'))
})

it('a cancelled transfer reports so, keeps what arrived, and a retry completes it', async () => {
  const { d } = await offer(40 * CHUNK)
  const theirs = await BlobStore.openPeer(receiverCs, d.core)
  const updates: TransferUpdate[] = []
  let transfers: Transfers | null = null
  transfers = new Transfers((u) => {
    updates.push(u)
    if (u.state === 'downloading' && u.bytes >= 10 * CHUNK) transfers!.cancel(d)
  }, 0)
  const err = await transfers.fetch(theirs, d, LIMITS).catch((e: unknown) => e)
  expect((err as BlobError).code).toBe('aborted')
  expect(updates.at(-1)?.state).toBe('cancelled')
  expect(transfers.isActive(d)).toBe(false)
  const kept = await theirs.chunksStored(d)
  expect(kept).toBeGreaterThanOrEqual(10)

  const retry = new Transfers(() => undefined)
  await retry.fetch(theirs, d, LIMITS)
  expect(await theirs.chunksStored(d)).toBe(40)
})

it('auto-download takes small images and voice notes, not large files or other kinds', () => {
  const small = { ...samplePlainFile, size: 1000 }
  expect(wantsAutoDownload({ ...small, mediaType: 'image/jpeg' }, DEFAULT_AUTO_DOWNLOAD)).toBe(true)
  expect(wantsAutoDownload({ ...small, mediaType: 'audio/ogg' }, DEFAULT_AUTO_DOWNLOAD)).toBe(true)
  expect(wantsAutoDownload({ ...small, mediaType: 'application/pdf' }, DEFAULT_AUTO_DOWNLOAD)).toBe(false)
  expect(wantsAutoDownload({ ...small, mediaType: 'image/png', size: DEFAULT_AUTO_DOWNLOAD.maxBytes + 1 }, DEFAULT_AUTO_DOWNLOAD)).toBe(false)
})

import type Corestore from 'corestore'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BlobError, BlobStore, type FileDescriptor } from '../../core/blobs'
import { sealChunk } from '../../core/blobs/chunks'
import { openCorestore, replicateTo, serveReplication, tempDir, writePattern } from '../helpers/blobs'

const LIMITS = { maxBytes: 1 << 30 }
const CHUNK = 64 * 1024

async function expectBlobError(p: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e
  )
  expect(err).toBeInstanceOf(BlobError)
  expect((err as BlobError).code).toBe(code)
  if (message) expect((err as BlobError).message).toMatch(message)
}

describe('blob store on one node', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>
  let cs: Corestore
  let store: BlobStore
  let out: string

  beforeEach(async () => {
    tmp = await tempDir()
    cs = openCorestore(join(tmp.dir, 'store'))
    store = await BlobStore.openOwn(cs, Buffer.alloc(32, 9))
    out = join(tmp.dir, 'out')
    await import('node:fs/promises').then((fs) => fs.mkdir(out))
  })
  afterEach(async () => {
    await cs.close()
    await tmp.cleanup()
  })

  it('seals a file in 64 KiB chunks and saves it back byte for byte, under a free name', async () => {
    const bytes = await writePattern(join(tmp.dir, 'a.bin'), 5 * CHUNK + 123)
    const d = await store.putFile(join(tmp.dir, 'a.bin'), { name: 'a.bin', mediaType: 'application/octet-stream' })
    expect(d.size).toBe(bytes.byteLength)
    expect(d.blob.blockLength).toBe(6)
    expect(store.core.length).toBe(6)
    const first = await store.save(d, out, LIMITS)
    const second = await store.save(d, out, LIMITS)
    expect(first).toBe(join(out, 'a.bin'))
    expect(second).toBe(join(out, 'a (1).bin'))
    expect((await readFile(first)).equals(bytes)).toBe(true)
    expect((await readFile(second)).equals(bytes)).toBe(true)
    expect((await readdir(out)).sort()).toEqual(['a (1).bin', 'a.bin'])
  })

  it('stores an empty file and a file of exactly one chunk', async () => {
    for (const size of [0, CHUNK]) {
      const bytes = await writePattern(join(tmp.dir, `f${size}`), size)
      const d = await store.putFile(join(tmp.dir, `f${size}`), { name: `f${size}` })
      expect(d.blob.blockLength).toBe(1)
      expect((await readFile(await store.save(d, out, LIMITS))).equals(bytes)).toBe(true)
    }
  })

  it('reads any byte range, across chunk boundaries', async () => {
    const bytes = await writePattern(join(tmp.dir, 'r.bin'), 3 * CHUNK + 10)
    const d = await store.putFile(join(tmp.dir, 'r.bin'), { name: 'r.bin' })
    for (const [start, length] of [[0, 1], [CHUNK - 1, 2], [10, 2 * CHUNK + 5], [3 * CHUNK, 10], [0, bytes.byteLength], [5, 0]]) {
      const parts: Buffer[] = []
      for await (const p of store.read(d, start, length)) parts.push(p)
      expect(Buffer.concat(parts).equals(bytes.subarray(start, start + length))).toBe(true)
    }
    await expect(store.read(d, bytes.byteLength, 1).next()).rejects.toThrow(RangeError)
  })

  it('puts several files one after another in the same core', async () => {
    const a = await writePattern(join(tmp.dir, 'a'), CHUNK + 1, 1)
    const b = await writePattern(join(tmp.dir, 'b'), 2 * CHUNK, 2)
    const [da, db] = await Promise.all([store.putFile(join(tmp.dir, 'a'), { name: 'a' }), store.putFile(join(tmp.dir, 'b'), { name: 'b' })])
    expect(da.blob.blockOffset + da.blob.blockLength === db.blob.blockOffset || db.blob.blockOffset + db.blob.blockLength === da.blob.blockOffset).toBe(true)
    expect((await readFile(await store.save(da, out, LIMITS))).equals(a)).toBe(true)
    expect((await readFile(await store.save(db, out, LIMITS))).equals(b)).toBe(true)
  })

  it('refuses a wrong key or a lying hash, leaving nothing in the folder', async () => {
    await writePattern(join(tmp.dir, 'x'), 2 * CHUNK + 7)
    const d = await store.putFile(join(tmp.dir, 'x'), { name: 'x' })
    await expectBlobError(store.save({ ...d, key: Buffer.alloc(32, 1) }, out, LIMITS), 'bad-chunk', /chunk 0/)
    const hash = Buffer.from(d.hash)
    hash[0] ^= 1
    await expectBlobError(store.save({ ...d, hash }, out, LIMITS), 'hash-mismatch')
    expect(await readdir(out)).toEqual([])
  })

  it('refuses a file over the receiver limit or in another store before reading anything', async () => {
    await writePattern(join(tmp.dir, 'x'), 2 * CHUNK)
    const d = await store.putFile(join(tmp.dir, 'x'), { name: 'x' })
    await expectBlobError(store.save(d, out, { maxBytes: CHUNK }), 'too-large', /larger than the 65536 bytes accepted/)
    await expectBlobError(store.save({ ...d, core: Buffer.alloc(32, 7) }, out, LIMITS), 'wrong-store')
    expect(await readdir(out)).toEqual([])
  })

  it('refuses a blob id that does not exist', async () => {
    await writePattern(join(tmp.dir, 'x'), CHUNK)
    const d = await store.putFile(join(tmp.dir, 'x'), { name: 'x' })
    const ghost: FileDescriptor = { ...d, blob: { ...d.blob, blockOffset: 50, byteOffset: 50 * (CHUNK + 16) } }
    await expectBlobError(store.save(ghost, out, { ...LIMITS }, { timeout: 200 }), 'blob-missing', /holds 1 blocks; this file needs block 50/)
    expect(await readdir(out)).toEqual([])
  })

  it('deleting a file erases its chunks, and a save of it then finds nothing', async () => {
    await writePattern(join(tmp.dir, 'x'), 3 * CHUNK)
    const d = await store.putFile(join(tmp.dir, 'x'), { name: 'x' })
    await store.delete(d)
    expect(await store.chunksStored(d)).toBe(0)
    await expectBlobError(store.save(d, out, LIMITS, { timeout: 200 }), 'unavailable')
    expect(await readdir(out)).toEqual([])
  })

  it('cancelling a save stops it and removes the part file', async () => {
    await writePattern(join(tmp.dir, 'x'), 4 * CHUNK)
    const d = await store.putFile(join(tmp.dir, 'x'), { name: 'x' })
    const ac = new AbortController()
    const p = store.save(d, out, LIMITS, { signal: ac.signal, onProgress: (pr) => pr.bytes >= CHUNK && ac.abort() })
    await expectBlobError(p, 'aborted')
    expect(await readdir(out)).toEqual([])
  })
})

describe('blob store replicated to a contact over a loopback TCP stream', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>
  let senderCs: Corestore
  let receiverCs: Corestore
  let server: Awaited<ReturnType<typeof serveReplication>>

  beforeEach(async () => {
    tmp = await tempDir()
    senderCs = openCorestore(join(tmp.dir, 'sender'))
    receiverCs = openCorestore(join(tmp.dir, 'receiver'))
    server = await serveReplication(senderCs)
    replicateTo(receiverCs, server.port)
  })
  afterEach(async () => {
    await server.close()
    await receiverCs.close()
    await senderCs.close()
    await tmp.cleanup()
  })

  it('the contact saves the file and a range read fetches only the chunks it covers', async () => {
    const own = await BlobStore.openOwn(senderCs, Buffer.alloc(32, 1))
    const bytes = await writePattern(join(tmp.dir, 'big.bin'), 20 * CHUNK + 99)
    const d = await own.putFile(join(tmp.dir, 'big.bin'), { name: 'big.bin' })
    const theirs = await BlobStore.openPeer(receiverCs, d.core)
    const fetched: number[] = []
    theirs.core.on('download', (index) => fetched.push(index))

    const parts: Buffer[] = []
    for await (const p of theirs.read(d, 5 * CHUNK + 10, CHUNK)) parts.push(p)
    expect(Buffer.concat(parts).equals(bytes.subarray(5 * CHUNK + 10, 6 * CHUNK + 10))).toBe(true)
    expect(fetched.sort((a, b) => a - b)).toEqual([5, 6])
    expect(await theirs.chunksStored(d)).toBe(2)

    const progress: number[] = []
    const path = await theirs.save(d, join(tmp.dir), LIMITS, { onProgress: (p) => progress.push(p.bytes) })
    expect((await readFile(path)).equals(bytes)).toBe(true)
    expect(progress.at(-1)).toBe(bytes.byteLength)
    expect(new Set(fetched).size).toBe(fetched.length)
    expect(fetched.length).toBe(21)
  })

  it('chunks a hostile sender wrote (garbage, wrong length, swapped) are refused by the receiver', async () => {
    const own = await BlobStore.openOwn(senderCs, Buffer.alloc(32, 2))
    const k = { key: Buffer.alloc(32, 5), fileId: Buffer.alloc(16, 6) }
    const plain = [Buffer.alloc(CHUNK, 1), Buffer.alloc(CHUNK, 2), Buffer.alloc(10, 3)]
    const good = plain.map((p, i) => sealChunk(p, i, i === 2, k))
    const base = {
      core: own.key,
      ...k,
      size: 2 * CHUNK + 10,
      chunkBytes: CHUNK,
      hash: Buffer.alloc(32),
      mediaType: 'application/octet-stream',
      name: 'evil',
      preview: null
    }
    const garbage = Buffer.from(good[1])
    garbage[7] ^= 0xff
    const layouts: [Buffer[], RegExp][] = [
      [[good[0], garbage, good[2]], /chunk 1 of the file failed authentication/],
      [[good[1], good[0], good[2]], /chunk 0 of the file failed authentication/],
      [[good[0], good[1], Buffer.concat([good[2], Buffer.alloc(1)])], /chunk 2 of the file is 27 bytes, expected 26/]
    ]
    const theirs = await BlobStore.openPeer(receiverCs, own.key)
    for (const [blocks, message] of layouts) {
      const blockOffset = own.core.length
      const byteOffset = own.core.byteLength
      await own.core.append(blocks)
      const d: FileDescriptor = { ...base, blob: { blockOffset, blockLength: 3, byteOffset, byteLength: 2 * CHUNK + 10 + 48 } }
      await expectBlobError(theirs.save(d, tmp.dir, LIMITS, { timeout: 5000 }), 'bad-chunk', message)
    }
    expect((await readdir(tmp.dir)).sort()).toEqual(['receiver', 'sender'])
  })
})

describe('forwarding', () => {
  it('copies the sealed chunks into another store unchanged, and the copy opens with the same key', async () => {
    const tmp = await tempDir()
    const cs = openCorestore(join(tmp.dir, 'store'))
    try {
      const toBob = await BlobStore.openOwn(cs, Buffer.alloc(32, 1))
      const toCarol = await BlobStore.openOwn(cs, Buffer.alloc(32, 2))
      const bytes = await writePattern(join(tmp.dir, 'f'), 3 * CHUNK + 1)
      const d = await toBob.putFile(join(tmp.dir, 'f'), { name: 'f' })
      const fwd = await toCarol.forwardFrom(toBob, d)
      expect(fwd.core.equals(toCarol.key)).toBe(true)
      expect([fwd.key, fwd.fileId, fwd.hash]).toEqual([d.key, d.fileId, d.hash])
      expect((await readFile(await toCarol.save(fwd, tmp.dir, LIMITS))).equals(bytes)).toBe(true)
      await toBob.delete(d)
      await expectBlobError(toCarol.forwardFrom(toBob, d), 'unavailable', /chunk 0/)
    } finally {
      await cs.close()
      await tmp.cleanup()
    }
  })
})

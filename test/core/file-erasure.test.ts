// Files at rest: deleting a file's message, or removing the contact, takes the file's sealed chunks
// and its key off the disk before the call returns (the store epoch ends, the storage compacts). A
// copy of the profile taken before still holds them, so the search below can tell the two apart.
import { afterEach, expect, it } from 'vitest'
import { join } from 'node:path'
import { decodeDescriptor, type FileDescriptor } from '../../core/blobs'
import { chunkCount, sealChunk } from '../../core/blobs/chunks'
import { Fixture, pair, PASS, waitFor, type Node } from '../helpers/core'
import { patternBytes, writePattern } from '../helpers/blobs'
import { copyAndDump, holds, type ProfileDump } from './profile-dump'

const f = new Fixture()
afterEach(() => f.cleanup())

const SIZE = 300 * 1024
const CHUNK = 64 * 1024
const PIECE = 512

/** Every file descriptor in the message records the passphrase opens. */
function descriptors(dump: ProfileDump): FileDescriptor[] {
  const out: FileDescriptor[] = []
  for (const { value } of dump.values) {
    if (value[0] !== 0x7b) continue
    try {
      const rec = JSON.parse(value.toString('utf8')) as { file?: string }
      if (typeof rec.file === 'string') out.push(decodeDescriptor(Buffer.from(rec.file, 'hex')))
    } catch {
      // not a JSON record
    }
  }
  return out
}

/** The exact bytes each sealed chunk of the file has in a blob store. */
function sealedChunks(d: FileDescriptor, plain: Buffer): Buffer[] {
  const n = chunkCount(d.size, d.chunkBytes)
  return Array.from({ length: n }, (_, i) => sealChunk(plain.subarray(i * d.chunkBytes, (i + 1) * d.chunkBytes), i, i === n - 1, d))
}

interface Traces {
  /** Sealed chunks of which a piece is found verbatim in the raw files. */
  chunks: number
  key: boolean
  plaintext: boolean
}

/**
 * Whether any piece of the chunk is in the raw files: RocksDB's write-ahead log cuts a value into
 * 32 KiB records, so a whole chunk is not always contiguous on disk.
 */
function pieceFound(raw: Buffer, chunk: Buffer): boolean {
  for (let at = 0; at + PIECE <= chunk.byteLength; at += 4 * PIECE) if (raw.includes(chunk.subarray(at, at + PIECE))) return true
  return false
}

function traces(dump: ProfileDump, d: FileDescriptor, plain: Buffer): Traces {
  return {
    chunks: sealedChunks(d, plain).filter((chunk) => pieceFound(dump.raw, chunk)).length,
    // the message record keeps the descriptor as hex
    key: holds(dump, d.key) || holds(dump, Buffer.from(d.key.toString('hex'))),
    plaintext: holds(dump, plain.subarray(0, CHUNK))
  }
}

const NONE: Traces = { chunks: 0, key: false, plaintext: false }
/** Received and kept sealed: every chunk and the key (in the message record), never the plaintext. */
const KEPT: Traces = { chunks: Math.ceil(SIZE / CHUNK), key: true, plaintext: false }

async function dumpClosed(node: Node): Promise<ProfileDump> {
  await node.close()
  return copyAndDump(node.dir, await f.dir(), PASS)
}

async function reopen(node: Node): Promise<Node> {
  const again = await f.host(node.dir)
  await again.host.unlock(PASS)
  return again
}

it('a deleted file message and a removed contact leave no sealed chunk, key or plaintext of their files on disk', async () => {
  const { a, b, aId, bId } = await pair(f)
  const dir = await f.dir()
  const plains = [patternBytes(SIZE, 7), patternBytes(SIZE, 8)]
  const ids: string[] = []
  for (const [i, plain] of plains.entries()) {
    const path = join(dir, `f${i}.bin`)
    await writePattern(path, plain.length, 7 + i)
    await a.host.sendFile(bId, path)
    await waitFor(`B is offered f${i}`, () => b.of('message').some((e) => e.message.file?.name === `f${i}.bin`))
    const id = b.of('message').find((e) => e.message.file?.name === `f${i}.bin`)!.message.id
    await b.host.downloadFile(aId, id)
    ids.push(id)
  }

  const before = await dumpClosed(b)
  const found = descriptors(before)
  const [d0, d1] = plains.map((plain) => found.find((d) => traces(before, d, plain).chunks > 0)!)
  for (const [i, d] of [d0, d1].entries()) expect(traces(before, d, plains[i]), `f${i} before any deletion`).toEqual(KEPT)

  let b2 = await reopen(b)
  await b2.host.deleteMessage(aId, ids[0])
  const afterDelete = await dumpClosed(b2)
  expect(traces(afterDelete, d0, plains[0]), 'the deleted file').toEqual(NONE)
  expect(traces(afterDelete, d1, plains[1]), 'the file kept').toEqual(KEPT)

  b2 = await reopen(b)
  await b2.host.removeContact(PASS, aId)
  const afterRemove = await dumpClosed(b2)
  expect(traces(afterRemove, d1, plains[1]), 'the file of the removed contact').toEqual(NONE)

  // The sender's own store too: Alice removes Bob.
  await a.host.removeContact(PASS, bId)
  const sender = await dumpClosed(a)
  for (const [i, d] of [d0, d1].entries()) expect(traces(sender, d, plains[i]), `Alice's copy of f${i}`).toEqual(NONE)
}, 120_000)

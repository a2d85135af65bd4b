// Streams a file from disk into sealed chunks: one chunk of plaintext and one sealed chunk in memory
// at a time (plus the one read ahead to know which chunk is the last), whatever the file's size.
import { open } from 'node:fs/promises'
import { blake2bStream } from '../crypto'
import { sealChunk, type ChunkKey } from './chunks'
import { HASH_BYTES } from './descriptor'

export interface SealedFile {
  size: number
  hash: Buffer
}

/** Reads up to buf.byteLength bytes at `position`; fewer only at the end of the file. */
async function readFull(fh: Awaited<ReturnType<typeof open>>, buf: Buffer, position: number): Promise<number> {
  let filled = 0
  while (filled < buf.byteLength) {
    const { bytesRead } = await fh.read(buf, filled, buf.byteLength - filled, position + filled)
    if (bytesRead === 0) break
    filled += bytesRead
  }
  return filled
}

/**
 * Seals the file at `path` chunk by chunk, handing each sealed chunk to `emit` in order and waiting
 * for it (that is the backpressure). Size and hash are of the bytes actually read.
 */
export async function sealFile(
  path: string,
  k: ChunkKey,
  chunkBytes: number,
  emit: (sealed: Buffer) => Promise<void>
): Promise<SealedFile> {
  const fh = await open(path, 'r')
  try {
    const hash = blake2bStream(HASH_BYTES)
    let current = Buffer.allocUnsafe(chunkBytes)
    let next = Buffer.allocUnsafe(chunkBytes)
    let currentLength = await readFull(fh, current, 0)
    let size = 0
    for (let index = 0; ; index++) {
      const nextLength = currentLength === chunkBytes ? await readFull(fh, next, size + currentLength) : 0
      const plain = current.subarray(0, currentLength)
      hash.update(plain)
      const final = nextLength === 0
      await emit(sealChunk(plain, index, final, k))
      size += currentLength
      if (final) break
      ;[current, next] = [next, current]
      currentLength = nextLength
    }
    return { size, hash: hash.digest() }
  } finally {
    await fh.close()
  }
}

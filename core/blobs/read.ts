// Reads sealed chunks back out of a blob core, local or replicated, and opens them. Chunk i is
// block blockOffset + i, and its sealed length is fixed by the descriptor: blocks are read by index
// (never by byte offset) and any block of the wrong length is refused, so a sender cannot shift the
// chunk boundaries the decryption relies on.
import type Hypercore from 'hypercore'
import { AEAD_TAG_BYTES } from '../crypto'
import { openChunk, plainChunkLength } from './chunks'
import type { FileDescriptor } from './descriptor'
import { BlobError } from './errors'

export interface ReadOptions {
  /** Give up on a block that has not arrived after this many ms (default: wait for the peer). */
  timeout?: number
  signal?: AbortSignal
}

function abortedError(): BlobError {
  return new BlobError('aborted', 'the transfer was cancelled')
}

export function checkAborted(opts: ReadOptions): void {
  if (opts.signal?.aborted) throw abortedError()
}

/** Closes the session when the read is cancelled (which ends a pending get); returns the undo. */
export function onAbortClose(session: Hypercore, opts: ReadOptions): () => void {
  const onAbort = (): void => void session.close().catch(() => undefined)
  opts.signal?.addEventListener('abort', onAbort, { once: true })
  return () => opts.signal?.removeEventListener('abort', onAbort)
}

/** The sealed block of chunk `index`, fetched if need be; refused unless it has the chunk's exact length. */
export async function getBlock(session: Hypercore, d: FileDescriptor, index: number, opts: ReadOptions): Promise<Buffer> {
  const at = d.blob.blockOffset + index
  let block: Buffer | null
  try {
    block = await session.get(at, { timeout: opts.timeout ?? 0 })
  } catch (err) {
    if (opts.signal?.aborted) throw abortedError()
    const code = (err as { code?: string }).code
    if (code === 'REQUEST_TIMEOUT' && session.length <= at) {
      throw new BlobError('blob-missing', `the blob store holds ${session.length} blocks; this file needs block ${at}`)
    }
    if (code === 'REQUEST_TIMEOUT') throw new BlobError('unavailable', `block ${at} of the file did not arrive within ${opts.timeout} ms`)
    throw err
  }
  if (!block) throw new BlobError('unavailable', `block ${at} of the file is not available`)
  const expected = plainChunkLength(index, d.size, d.chunkBytes) + AEAD_TAG_BYTES
  if (block.byteLength !== expected) {
    throw new BlobError('bad-chunk', `chunk ${index} of the file is ${block.byteLength} bytes, expected ${expected}`)
  }
  return block
}

/**
 * Yields the plaintext of chunks [from, to) in order, prefetching the whole range from peers. Blocks
 * already stored locally are not fetched again, which is what makes a transfer resumable.
 */
export async function* readChunks(core: Hypercore, d: FileDescriptor, from: number, to: number, opts: ReadOptions = {}): AsyncGenerator<Buffer> {
  checkAborted(opts)
  const session = core.session()
  const stopAbort = onAbortClose(session, opts)
  const range = session.download({ start: d.blob.blockOffset + from, end: d.blob.blockOffset + to })
  try {
    const last = d.blob.blockLength - 1
    for (let i = from; i < to; i++) {
      const sealed = await getBlock(session, d, i, opts)
      yield openChunk(sealed, i, i === last, d)
    }
  } finally {
    stopAbort()
    range.destroy()
    await session.close().catch(() => undefined)
  }
}

/** Plaintext bytes [start, start + length) of the file, one chunk's worth at a time. */
export async function* readRange(core: Hypercore, d: FileDescriptor, start: number, length: number, opts: ReadOptions = {}): AsyncGenerator<Buffer> {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(length) || start < 0 || length < 0 || start + length > d.size) {
    throw new RangeError(`range ${start}+${length} is outside the file's ${d.size} bytes`)
  }
  if (length === 0) return
  const end = start + length
  const first = Math.floor(start / d.chunkBytes)
  let offset = first * d.chunkBytes
  for await (const plain of readChunks(core, d, first, Math.ceil(end / d.chunkBytes), opts)) {
    yield plain.subarray(Math.max(0, start - offset), Math.min(plain.byteLength, end - offset))
    offset += plain.byteLength
  }
}

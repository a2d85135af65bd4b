// Bringing a contact's file into the local replica of their blob store, checked end to end, without
// writing plaintext anywhere: what is kept is the sealed chunks (the key stays in the encrypted
// message store), and a save or a range read later decrypts from local blocks.
import { timingSafeEqual } from 'node:crypto'
import type Hypercore from 'hypercore'
import { blake2bStream } from '../crypto'
import { HASH_BYTES, type FileDescriptor } from './descriptor'
import { BlobError } from './errors'
import { readChunks } from './read'
import type { SaveOptions } from './save'

/**
 * Fetches every chunk not yet stored, authenticates each and checks the whole file's hash. A file
 * that fails either is erased from the replica: its blocks could only ever fail again.
 */
export async function fetchFile(core: Hypercore, d: FileDescriptor, opts: SaveOptions = {}): Promise<void> {
  const hash = blake2bStream(HASH_BYTES)
  let bytes = 0
  try {
    for await (const plain of readChunks(core, d, 0, d.blob.blockLength, opts)) {
      hash.update(plain)
      bytes += plain.byteLength
      opts.onProgress?.({ bytes, size: d.size })
    }
    if (!timingSafeEqual(hash.digest(), d.hash)) {
      throw new BlobError('hash-mismatch', `the file's content does not match the hash its sender declared`)
    }
  } catch (err) {
    if (err instanceof BlobError && (err.code === 'bad-chunk' || err.code === 'hash-mismatch')) {
      await core.clear(d.blob.blockOffset, d.blob.blockOffset + d.blob.blockLength)
    }
    throw err
  }
}

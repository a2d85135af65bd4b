// How one file becomes sealed chunks. Chunk i of a file is the plaintext bytes
// [i·chunkBytes, (i+1)·chunkBytes), sealed with XChaCha20-Poly1305 under the file's own random key:
//   nonce = fileId (16) ‖ u64le(i)
//   AD    = "cairn/blob/v1" ‖ fileId ‖ u64le(i) ‖ u8(final)
// The key is fresh for every file, so a (key, nonce) pair never seals two different plaintexts.
// Binding the index stops reordering, binding the file id stops a chunk of another file (under a
// reused key) from being spliced in, and the final flag on the last chunk stops truncation even by
// someone who does not know the declared size. An empty file is one empty final chunk.
import { AEAD_TAG_BYTES, aeadOpen, aeadSeal } from '../crypto'
import { BLOB_CHUNK as DOMAIN } from '../protocol/caps'
import { BlobError } from './errors'

export const DEFAULT_CHUNK_BYTES = 64 * 1024
export const MIN_CHUNK_BYTES = 4 * 1024
export const MAX_CHUNK_BYTES = 1024 * 1024
export const FILE_KEY_BYTES = 32
export const FILE_ID_BYTES = 16

export function isValidChunkSize(chunkBytes: number): boolean {
  return (
    Number.isSafeInteger(chunkBytes) &&
    chunkBytes >= MIN_CHUNK_BYTES &&
    chunkBytes <= MAX_CHUNK_BYTES &&
    (chunkBytes & (chunkBytes - 1)) === 0
  )
}

export function chunkCount(size: number, chunkBytes: number): number {
  return Math.max(1, Math.ceil(size / chunkBytes))
}

/** Bytes of plaintext in chunk i of a file of `size` bytes. */
export function plainChunkLength(index: number, size: number, chunkBytes: number): number {
  return Math.max(0, Math.min(chunkBytes, size - index * chunkBytes))
}

/** Total bytes the sealed chunks of a file of `size` bytes take in the blob store. */
export function sealedSize(size: number, chunkBytes: number): number {
  return size + chunkCount(size, chunkBytes) * AEAD_TAG_BYTES
}

function nonceOf(fileId: Uint8Array, index: number): Buffer {
  const nonce = Buffer.alloc(FILE_ID_BYTES + 8)
  nonce.set(fileId, 0)
  nonce.writeBigUInt64LE(BigInt(index), FILE_ID_BYTES)
  return nonce
}

function adOf(fileId: Uint8Array, index: number, final: boolean): Buffer {
  const ad = Buffer.alloc(DOMAIN.byteLength + FILE_ID_BYTES + 9)
  DOMAIN.copy(ad, 0)
  ad.set(fileId, DOMAIN.byteLength)
  ad.writeBigUInt64LE(BigInt(index), DOMAIN.byteLength + FILE_ID_BYTES)
  ad[ad.byteLength - 1] = final ? 1 : 0
  return ad
}

export interface ChunkKey {
  key: Uint8Array
  fileId: Uint8Array
}

export function sealChunk(plain: Uint8Array, index: number, final: boolean, k: ChunkKey): Buffer {
  return aeadSeal(plain, adOf(k.fileId, index, final), nonceOf(k.fileId, index), k.key)
}

/** The plaintext of chunk `index`; throws BlobError('bad-chunk') unless it authenticates as exactly that chunk. */
export function openChunk(sealed: Uint8Array, index: number, final: boolean, k: ChunkKey): Buffer {
  const plain = aeadOpen(sealed, adOf(k.fileId, index, final), nonceOf(k.fileId, index), k.key)
  if (!plain) {
    throw new BlobError(
      'bad-chunk',
      `chunk ${index} of the file failed authentication (wrong key, or the chunk was altered, moved or taken from another file)`
    )
  }
  return plain
}

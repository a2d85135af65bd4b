// Bringing a contact's file into the local replica of their blob store: the sealed chunks are kept
// as they arrived (the key stays in the encrypted message store) and nothing is decrypted here.
// Hypercore has already checked every block against the sender's signed Merkle tree, and each
// chunk's length is checked against the descriptor; authenticating the chunks and the whole file's
// hash is done once, when the file is saved (save.ts) or read (read.ts), so a large file is
// decrypted once, not twice. A transfer resumes where it stopped: blocks already in the replica
// are counted, never fetched or read again.
import type Hypercore from 'hypercore'
import { plainChunkLength } from './chunks'
import type { FileDescriptor } from './descriptor'
import { BlobError } from './errors'
import { getBlock, onAbortClose, checkAborted } from './read'
import type { SaveOptions } from './save'

/** Resolves once the replica's length covers the file, or refuses a file the sender's store cannot hold. */
async function coverFile(session: Hypercore, d: FileDescriptor, opts: SaveOptions): Promise<void> {
  const end = d.blob.blockOffset + d.blob.blockLength
  if (session.length >= end) return
  // A sender's store holds a file before the file is offered, so once the peers connected to
  // this store have told their length, a length short of the file means it was never there. With
  // no peer yet the download waits for one.
  await session.update({ wait: true }).catch(() => false)
  checkAborted(opts)
  const peers = session.peers
  const longest = Math.max(session.length, ...peers.map((p) => p.remoteLength))
  if (peers.length > 0 && longest < end) {
    throw new BlobError('blob-missing', `the contact's blob store holds ${longest} blocks; this file needs blocks up to ${end}`)
  }
}

/** Fetches every chunk not yet stored, checking each one's length; reports the bytes held so far. */
export async function fetchFile(core: Hypercore, d: FileDescriptor, opts: SaveOptions = {}): Promise<void> {
  checkAborted(opts)
  const session = core.session()
  const stopAbort = onAbortClose(session, opts)
  const start = d.blob.blockOffset
  const range = session.download({ start, end: start + d.blob.blockLength })
  let bytes = 0
  try {
    await coverFile(session, d, opts)
    for (let i = 0; i < d.blob.blockLength; i++) {
      checkAborted(opts)
      if (!(await session.has(start + i))) await getBlock(session, d, i, opts)
      bytes += plainChunkLength(i, d.size, d.chunkBytes)
      opts.onProgress?.({ bytes, size: d.size })
    }
  } catch (err) {
    if (err instanceof BlobError && err.code === 'bad-chunk') await core.clear(start, start + d.blob.blockLength)
    throw err
  } finally {
    stopAbort()
    range.destroy()
    await session.close().catch(() => undefined)
  }
}

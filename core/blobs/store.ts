// A blob store: hyperblobs on a Hypercore of its own. Each side of a conversation writes its files
// into its own store (named by the contact's tag, like its message log, so the name reveals nothing)
// and reads the contact's from a replica of theirs. The store holds sealed chunks only; the keys
// travel in ratcheted messages, so whoever replicates a store (a home node, a group member) can serve
// the file without being able to read it.
import type Corestore from 'corestore'
import type Hypercore from 'hypercore'
import Hyperblobs, { type BlobWriteStream } from 'hyperblobs'
import { randomBytes } from '../crypto'
import { BLOB_STORE_NAME } from '../protocol/caps'
import { DEFAULT_CHUNK_BYTES, FILE_ID_BYTES, FILE_KEY_BYTES, isValidChunkSize } from './chunks'
import { validateDescriptor, type BlobLocation, type FileDescriptor, type ImagePreview } from './descriptor'
import { BlobError } from './errors'
import { fetchFile } from './fetch'
import { readRange, type ReadOptions } from './read'
import { saveFile, verifyFile, type SaveOptions } from './save'
import { sealFile } from './seal'

export interface PutOptions {
  name: string
  mediaType?: string
  preview?: ImagePreview | null
  chunkBytes?: number
}

export interface ReceiveLimits {
  /** Largest file this receiver accepts, in bytes. */
  maxBytes: number
}

/** A failure only a sender's own fault or forgery explains (the chunks or the declared hash). */
export function isForgery(err: unknown): err is BlobError {
  return err instanceof BlobError && (err.code === 'bad-chunk' || err.code === 'hash-mismatch')
}

function waitWritable(ws: BlobWriteStream, sealed: Buffer): Promise<void> {
  if (ws.write(sealed)) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const drained = (): void => {
      ws.off('error', failed)
      resolve()
    }
    const failed = (err: Error): void => {
      ws.off('drain', drained)
      reject(err)
    }
    ws.once('drain', drained)
    ws.once('error', failed)
  })
}

function finished(ws: BlobWriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    ws.once('error', reject)
    ws.once('close', () => resolve())
    ws.end()
  })
}

export class BlobStore {
  private readonly blobs: Hyperblobs

  private constructor(readonly core: Hypercore) {
    this.blobs = new Hyperblobs(core)
  }

  /** My store for one contact, writable by me alone; its key pair derives from the profile's primary key. */
  static async openOwn(store: Corestore, contactTag: Buffer): Promise<BlobStore> {
    const core = store.get({ name: BLOB_STORE_NAME + contactTag.toString('hex') })
    await core.ready()
    return new BlobStore(core)
  }

  /** A contact's store, known by the key they announced. */
  static async openPeer(store: Corestore, key: Buffer): Promise<BlobStore> {
    const core = store.get({ key })
    await core.ready()
    return new BlobStore(core)
  }

  get key(): Buffer {
    return this.core.key!
  }

  /** Seals the file at `path` into this store, streaming; the descriptor is what the receiver needs. */
  async putFile(path: string, opts: PutOptions): Promise<FileDescriptor> {
    const chunkBytes = opts.chunkBytes ?? DEFAULT_CHUNK_BYTES
    if (!isValidChunkSize(chunkBytes)) throw new RangeError(`chunk size ${chunkBytes} is not allowed`)
    const k = { key: randomBytes(FILE_KEY_BYTES), fileId: randomBytes(FILE_ID_BYTES) }
    const { result: sealed, blob } = await this.appendBlob((write) => sealFile(path, k, chunkBytes, write))
    const d: FileDescriptor = {
      core: this.key,
      blob,
      ...k,
      ...sealed,
      chunkBytes,
      mediaType: opts.mediaType ?? 'application/octet-stream',
      name: opts.name,
      preview: opts.preview ?? null
    }
    validateDescriptor(d)
    return d
  }

  /**
   * Forwards a file held in `from` (fully stored there) into this store without decrypting it: the
   * sealed chunks are bound to the file id and their index, not to where they sit, so they copy
   * as they are and the descriptor keeps its key, id and hash. Whoever receives both descriptors
   * can tell it is the same file, as they could from its content.
   */
  async forwardFrom(from: BlobStore, d: FileDescriptor): Promise<FileDescriptor> {
    if (!d.core.equals(from.key)) throw new BlobError('wrong-store', 'the file is not in the store it is forwarded from')
    const { blob } = await this.appendBlob(async (write) => {
      for (let i = 0; i < d.blob.blockLength; i++) {
        const block = await from.core.get(d.blob.blockOffset + i, { wait: false })
        if (!block) throw new BlobError('unavailable', `chunk ${i} of the file is not stored here; fetch it before forwarding`)
        await write(block)
      }
    })
    return { ...d, core: this.key, blob }
  }

  /** Checks that the descriptor names this store and fits the receiver's limits before anything is fetched. */
  accept(d: FileDescriptor, limits: ReceiveLimits): void {
    validateDescriptor(d)
    if (!d.core.equals(this.key)) throw new BlobError('wrong-store', 'the file is not in this contact\'s blob store')
    if (d.size > limits.maxBytes) {
      throw new BlobError('too-large', `the file is ${d.size} bytes, larger than the ${limits.maxBytes} bytes accepted`)
    }
  }

  /** Fetches the file's sealed chunks into this replica, as they are (see fetch.ts). */
  async fetch(d: FileDescriptor, limits: ReceiveLimits, opts: SaveOptions = {}): Promise<void> {
    this.accept(d, limits)
    await fetchFile(this.core, d, opts)
  }

  /**
   * Decrypts and verifies the file into `dir` and returns its path (see save.ts). A file whose
   * chunks or hash fail is erased from a replica: its blocks could only ever fail again.
   */
  async save(d: FileDescriptor, dir: string, limits: ReceiveLimits, opts: SaveOptions = {}): Promise<string> {
    this.accept(d, limits)
    try {
      return await saveFile(this.core, d, dir, opts)
    } catch (err) {
      if (isForgery(err) && !this.core.writable) await this.blobs.clear(d.blob)
      throw err
    }
  }

  /**
   * Decrypts the whole file and checks its hash without writing it anywhere (before its chunks are
   * forwarded, say); a replica's copy that fails is erased as in save().
   */
  async verify(d: FileDescriptor, opts: ReadOptions = {}): Promise<void> {
    if (!d.core.equals(this.key)) throw new BlobError('wrong-store', 'the file is not in this blob store')
    try {
      await verifyFile(this.core, d, opts)
    } catch (err) {
      if (isForgery(err) && !this.core.writable) await this.blobs.clear(d.blob)
      throw err
    }
  }

  /** Plaintext bytes [start, start + length) of the file; only the chunks covering them are fetched. */
  read(d: FileDescriptor, start: number, length: number, opts: ReadOptions = {}): AsyncGenerator<Buffer> {
    if (!d.core.equals(this.key)) throw new BlobError('wrong-store', 'the file is not in this blob store')
    return readRange(this.core, d, start, length, opts)
  }

  /** How many of the file's chunks are stored here already. */
  async chunksStored(d: FileDescriptor): Promise<number> {
    let n = 0
    for (let i = 0; i < d.blob.blockLength; i++) if (await this.core.has(d.blob.blockOffset + i)) n++
    return n
  }

  /** Erases the file's sealed chunks from this store (the blocks' place in the core remains). */
  async delete(d: FileDescriptor): Promise<void> {
    if (!d.core.equals(this.key)) throw new BlobError('wrong-store', 'the file is not in this blob store')
    await this.blobs.clear(d.blob)
  }

  /** Erases every sealed chunk this store holds, whoever wrote it (a contact removed). */
  async clearAll(): Promise<void> {
    await this.core.ready()
    if (this.core.length > 0) await this.core.clear(0, this.core.length)
  }

  close(): Promise<void> {
    return this.core.close()
  }

  /** Appends one blob, block by block as `produce` writes them, under hyperblobs' write lock. */
  private async appendBlob<T>(produce: (write: (block: Buffer) => Promise<void>) => Promise<T>): Promise<{ result: T; blob: BlobLocation }> {
    const ws = this.blobs.createWriteStream()
    let opened = false
    ws.once('open', () => (opened = true))
    try {
      const result = await produce((block) => waitWritable(ws, block))
      await finished(ws)
      return { result, blob: { ...ws.id } }
    } catch (err) {
      // Blocks already appended are orphans no descriptor will name: erase them before the write
      // lock passes to the next blob.
      const end = this.core.length
      ws.destroy()
      if (opened && ws.id.blockOffset < end) await this.core.clear(ws.id.blockOffset, end)
      throw err
    }
  }
}

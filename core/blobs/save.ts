// Receiving a file to disk. The plaintext goes to a hidden part file in the target folder and
// becomes the named file only once every chunk authenticated and the whole file's hash matched;
// the name is taken without ever replacing an existing file. A cancelled or failed save removes
// the part file; a killed process leaves it, and the next save rewrites it from the blocks already
// stored, so only blocks never received travel again.
import { timingSafeEqual } from 'node:crypto'
import { link, open, rm, unlink } from 'node:fs/promises'
import { join, resolve, dirname } from 'node:path'
import type Hypercore from 'hypercore'
import { blake2bStream } from '../crypto'
import { HASH_BYTES, type FileDescriptor } from './descriptor'
import { BlobError } from './errors'
import { numberedName, safeSaveName } from './names'
import { readChunks, type ReadOptions } from './read'

export interface SaveProgress {
  bytes: number
  size: number
}

export interface SaveOptions extends ReadOptions {
  onProgress?: (p: SaveProgress) => void
}

const MAX_NAME_TRIES = 1000

function partPath(dir: string, d: FileDescriptor): string {
  return join(dir, `.${d.fileId.toString('hex')}.cairn-part`)
}

/** Decrypts every chunk in order, handing each plaintext to `sink`, and checks the whole file's hash. */
async function decryptAll(core: Hypercore, d: FileDescriptor, opts: SaveOptions, sink: (plain: Buffer, at: number) => Promise<void>): Promise<void> {
  const hash = blake2bStream(HASH_BYTES)
  let bytes = 0
  for await (const plain of readChunks(core, d, 0, d.blob.blockLength, opts)) {
    hash.update(plain)
    await sink(plain, bytes)
    bytes += plain.byteLength
    opts.onProgress?.({ bytes, size: d.size })
  }
  if (!timingSafeEqual(hash.digest(), d.hash)) {
    throw new BlobError('hash-mismatch', `the file's content does not match the hash its sender declared`)
  }
}

async function decryptTo(core: Hypercore, d: FileDescriptor, part: string, opts: SaveOptions): Promise<void> {
  const fh = await open(part, 'w', 0o600)
  try {
    await decryptAll(core, d, opts, async (plain, at) => void (await fh.write(plain, 0, plain.byteLength, at)))
    await fh.sync()
  } finally {
    await fh.close()
  }
}

/** Authenticates every chunk and checks the file's hash, keeping nothing. */
export function verifyFile(core: Hypercore, d: FileDescriptor, opts: SaveOptions = {}): Promise<void> {
  return decryptAll(core, d, opts, async () => undefined)
}

/** Gives the part file its final name: the first free "name", "name (1)", … in `dir`. */
async function claimName(dir: string, part: string, name: string): Promise<string> {
  for (let n = 0; n < MAX_NAME_TRIES; n++) {
    const target = join(dir, n === 0 ? name : numberedName(name, n))
    if (dirname(resolve(target)) !== resolve(dir)) throw new BlobError('bad-name', `the file name leaves the download folder`)
    try {
      await link(part, target)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue
      throw err
    }
    await unlink(part)
    return target
  }
  throw new BlobError('bad-name', `no free name for ${JSON.stringify(name)} in the download folder`)
}

/** Fetches (as needed), decrypts and verifies the file, and returns the path it was saved under. */
export async function saveFile(core: Hypercore, d: FileDescriptor, dir: string, opts: SaveOptions = {}): Promise<string> {
  const part = partPath(dir, d)
  try {
    await decryptTo(core, d, part, opts)
  } catch (err) {
    await rm(part, { force: true })
    throw err
  }
  try {
    return await claimName(dir, part, safeSaveName(d.name))
  } catch (err) {
    await rm(part, { force: true })
    throw err
  }
}

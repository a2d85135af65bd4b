// Files handed over in pieces by a user interface that cannot give a path (the web shell's page):
// each upload is a private temp file in the profile's scratch folder that grows only to the size
// declared at its start, and becomes a path to send once it is complete. At most a few at a time,
// so a page cannot fill the disk or hold descriptors open without bound.
import { randomBytes } from 'node:crypto'
import { open, rm, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { CairnError } from '../api/errors'

export const MAX_UPLOADS = 4

interface Upload {
  path: string
  fh: FileHandle
  size: number
  written: number
}

export class Uploads {
  private readonly open = new Map<string, Upload>()

  constructor(
    private readonly scratch: string,
    private readonly maxBytes: number
  ) {}

  async begin(size: number): Promise<string> {
    if (!Number.isSafeInteger(size) || size < 0) throw new CairnError('invalid-argument', 'an upload size is a whole number of bytes')
    if (size > this.maxBytes) throw new CairnError('invalid-argument', `the file is larger than the ${this.maxBytes} bytes allowed`)
    if (this.open.size >= MAX_UPLOADS) throw new CairnError('invalid-argument', `at most ${MAX_UPLOADS} uploads at a time`)
    const id = randomBytes(16).toString('hex')
    const path = join(this.scratch, `${id}.upload`)
    this.open.set(id, { path, fh: await open(path, 'wx', 0o600), size, written: 0 })
    return id
  }

  async append(id: string, bytes: Uint8Array): Promise<void> {
    const u = this.get(id)
    if (u.written + bytes.byteLength > u.size) {
      await this.abort(id)
      throw new CairnError('invalid-argument', 'the upload is longer than the size it declared')
    }
    await u.fh.write(bytes, 0, bytes.byteLength, u.written)
    u.written += bytes.byteLength
  }

  /** The path of the complete file; the caller removes it with `discard` once sent. */
  async finish(id: string): Promise<string> {
    const u = this.get(id)
    if (u.written !== u.size) {
      await this.abort(id)
      throw new CairnError('invalid-argument', `the upload ended after ${u.written} of ${u.size} bytes`)
    }
    this.open.delete(id)
    await u.fh.close()
    return u.path
  }

  async abort(id: string): Promise<void> {
    const u = this.open.get(id)
    if (!u) return
    this.open.delete(id)
    await u.fh.close()
    await rm(u.path, { force: true })
  }

  discard(path: string): Promise<void> {
    return rm(path, { force: true })
  }

  async close(): Promise<void> {
    for (const id of [...this.open.keys()]) await this.abort(id)
  }

  private get(id: string): Upload {
    const u = this.open.get(id)
    if (!u) throw new CairnError('not-found', 'no such upload')
    return u
  }
}

import { link, open, rename, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { randomBytes } from '../crypto'

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/**
 * Writes `data` so that a crash leaves either the old file or the new one, never a mix: a private
 * temp file (0600) is written and fsynced, then renamed over the target (or, with `exclusive`,
 * hard-linked to it, which fails if the target exists), then the directory is fsynced.
 * Returns false when `exclusive` and the target already existed.
 */
export async function writeFileAtomic(file: string, data: Uint8Array, exclusive: boolean): Promise<boolean> {
  const dir = dirname(file)
  const tmp = join(dir, `.${basename(file)}.${randomBytes(8).toString('hex')}.tmp`)
  const handle = await open(tmp, 'wx', 0o600)
  let placed = false
  try {
    try {
      await handle.chmod(0o600)
      await handle.writeFile(data)
      await handle.sync()
    } finally {
      await handle.close()
    }
    if (exclusive) {
      try {
        await link(tmp, file)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false
        throw err
      }
    } else {
      await rename(tmp, file)
      placed = true
    }
  } finally {
    if (!placed) await unlink(tmp).catch(() => {})
  }
  await syncDir(dir)
  return true
}

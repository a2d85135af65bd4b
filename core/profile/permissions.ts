import { chmod, readdir } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * Makes the profile private to its user: the folder and every folder in it 0700, every file 0600.
 * Run at every open by every shell (the storage libraries create files under the process umask,
 * and a folder may have been copied or unpacked with looser modes). Symbolic links are left alone.
 */
export async function makeProfilePrivate(dir: string): Promise<void> {
  if (process.platform === 'win32') return
  await gone(chmod(dir, 0o700))
  const entries = await gone(readdir(dir, { withFileTypes: true }))
  for (const entry of entries ?? []) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) await makeProfilePrivate(path)
    else if (entry.isFile()) await gone(chmod(path, 0o600))
  }
}

/**
 * The storage engine deletes obsolete files on its own schedule (after a crash, at its open), so a
 * file listed a moment ago may be gone: it needs no permission then. Any other error is thrown.
 */
async function gone<T>(op: Promise<T>): Promise<T | null> {
  try {
    return await op
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
}

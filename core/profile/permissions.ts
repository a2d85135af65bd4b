import { chmod, readdir } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * Makes the profile private to its user: the folder and every folder in it 0700, every file 0600.
 * Run at every open by every shell (the storage libraries create files under the process umask,
 * and a folder may have been copied or unpacked with looser modes). Symbolic links are left alone.
 */
export async function makeProfilePrivate(dir: string): Promise<void> {
  if (process.platform === 'win32') return
  await chmod(dir, 0o700)
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) await makeProfilePrivate(path)
    else if (entry.isFile()) await chmod(path, 0o600)
  }
}

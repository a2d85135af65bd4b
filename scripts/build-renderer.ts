// Builds the Svelte renderer into renderer-dist/ with the project's vite.config.ts.
import { mkdir, readdir, rmdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { build } from 'vite'

const root = join(import.meta.dirname, '..')
const outDir = join(root, 'renderer-dist')
// Everything the renderer bundle is built from.
const SOURCES = ['renderer', 'core/api', 'vite.config.ts']
const LOCK = join(root, '.renderer-build.lock')
const LOCK_WAIT_MS = 180_000

export async function buildRenderer(): Promise<void> {
  await build({ configFile: join(root, 'vite.config.ts'), logLevel: 'warn' })
}

async function newestMtime(path: string): Promise<number> {
  const info = await stat(path)
  if (!info.isDirectory()) return info.mtimeMs
  let newest = info.mtimeMs
  for (const entry of await readdir(path)) newest = Math.max(newest, await newestMtime(join(path, entry)))
  return newest
}

async function isFresh(): Promise<boolean> {
  const built = await stat(join(outDir, 'index.html')).then((s) => s.mtimeMs, () => 0)
  const sources = await Promise.all(SOURCES.map((p) => newestMtime(join(root, p)).catch(() => 0)))
  return built >= Math.max(...sources)
}

/**
 * Builds unless renderer-dist/ is newer than every source. Concurrent callers (parallel test files,
 * a bench) take turns through a lock folder, since a build empties the output folder first.
 */
export async function ensureRendererBuilt(): Promise<void> {
  if (await isFresh()) return
  const deadline = Date.now() + LOCK_WAIT_MS
  for (;;) {
    try {
      await mkdir(LOCK)
      break
    } catch {
      if (Date.now() > deadline) throw new Error(`renderer build lock ${LOCK} held too long; remove it if no build is running`)
      await new Promise((r) => setTimeout(r, 200))
    }
  }
  try {
    if (!(await isFresh())) await buildRenderer()
  } finally {
    await rmdir(LOCK)
  }
}

if (process.argv[1] && import.meta.filename === process.argv[1]) await buildRenderer()

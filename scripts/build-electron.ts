// Bundles the Electron main process and preload into electron-dist/ (CommonJS, as Electron loads
// them). Dependencies stay in node_modules: they carry native addons and are packaged as they are.
import { copyFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { build } from 'esbuild'

const root = join(import.meta.dirname, '..')
const outdir = join(root, 'electron-dist')

export async function buildElectron(): Promise<void> {
  await mkdir(outdir, { recursive: true })
  const common = {
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    sourcemap: true,
    logLevel: 'warning',
    external: ['electron']
  } as const
  await Promise.all([
    build({ ...common, entryPoints: [join(root, 'electron', 'main.ts')], outfile: join(outdir, 'main.cjs'), packages: 'external' }),
    // A sandboxed preload can require only 'electron': everything else is bundled into it.
    build({ ...common, entryPoints: [join(root, 'electron', 'preload.ts')], outfile: join(outdir, 'preload.cjs') })
  ])
  await copyFile(join(root, 'build', 'icons', '256x256.png'), join(outdir, 'icon.png'))
}

if (process.argv[1] && import.meta.filename === process.argv[1]) await buildElectron()

// Builds the Svelte renderer into renderer-dist/ with the project's vite.config.ts.
import { join } from 'node:path'
import { build } from 'vite'

const root = join(import.meta.dirname, '..')

export async function buildRenderer(): Promise<void> {
  await build({ configFile: join(root, 'vite.config.ts'), logLevel: 'warn' })
}

if (process.argv[1] && import.meta.filename === process.argv[1]) await buildRenderer()

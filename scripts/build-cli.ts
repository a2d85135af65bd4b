// Bundles the CLI into cli-dist/cairn.mjs (ESM): the production path of `cairn home run` on a box,
// which then starts without compiling TypeScript at run time (tsx's transform and its caches cost a
// home node about a third of its idle memory). Dependencies stay in node_modules: several carry
// native addons. bin/cairn.js still runs the sources through tsx, so a checkout needs no build.
import { build } from 'esbuild'
import { join } from 'node:path'

const root = join(import.meta.dirname, '..')
const outdir = join(root, 'cli-dist')
export const CLI_BUNDLE = join(outdir, 'cairn.mjs')

export async function buildCli(): Promise<string> {
  await build({
    entryPoints: { cairn: join(root, 'cli', 'main.ts') },
    outdir,
    outExtension: { '.js': '.mjs' },
    // Each command's code (and so its dependencies' imports) in its own chunk, loaded when that
    // command runs: `home run` never loads the messenger, the web shell, sharp or zxcvbn.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
    banner: { js: '#!/usr/bin/env node' }
  })
  return CLI_BUNDLE
}

if (process.argv[1] && import.meta.filename === process.argv[1]) await buildCli()

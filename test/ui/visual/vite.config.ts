// The renderer built against the in-page fake API, for looking at the UI without a core.
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

const fakeConnect = fileURLToPath(new URL('./fake-connect.ts', import.meta.url))

export default defineConfig({
  root: fileURLToPath(new URL('../../../renderer', import.meta.url)),
  base: './',
  plugins: [
    {
      name: 'fake-connect',
      enforce: 'pre',
      resolveId(source, importer) {
        if (source === './lib/connect' || (source === '../lib/connect' && importer?.includes('/renderer/src/'))) return fakeConnect
        return null
      }
    },
    svelte()
  ],
  build: { outDir: '/tmp/cairn-renderer-visual', emptyOutDir: true, assetsInlineLimit: 0 }
})

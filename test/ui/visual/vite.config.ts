// The renderer built against the in-page fake API, for looking at the UI without a core.
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

const fakeConnect = fileURLToPath(new URL('./fake-connect.ts', import.meta.url))
const contactIds = fileURLToPath(new URL('./contact-ids.ts', import.meta.url))

export default defineConfig({
  root: fileURLToPath(new URL('../../../renderer', import.meta.url)),
  base: './',
  plugins: [
    {
      name: 'fake-connect',
      enforce: 'pre',
      resolveId(source, importer) {
        if (source === './lib/connect' || (source === '../lib/connect' && importer?.includes('/renderer/src/'))) return fakeConnect
        if (source === './contact-ids' && importer?.endsWith('/test/helpers/fake-api.ts')) return contactIds
        return null
      }
    },
    svelte()
  ],
  build: { outDir: '/tmp/cairn-renderer-visual', emptyOutDir: true, assetsInlineLimit: 0 }
})

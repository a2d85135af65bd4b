import { svelte } from '@sveltejs/vite-plugin-svelte'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

const root = fileURLToPath(new URL('./renderer', import.meta.url))

export default defineConfig({
  root,
  // Relative asset URLs so the same build loads from the web shell and from Electron's file/app protocol.
  base: './',
  plugins: [svelte()],
  build: {
    outDir: fileURLToPath(new URL('./renderer-dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // Inline assets would need data: URLs in script/style; keep every asset a file the CSP allows.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false }
  }
})

// Renders build/icon.svg to the PNG sizes the packagers and the tray want, with the Chromium that
// the browser tests use, so no image tool is needed. Run: npx tsx scripts/make-icons.ts
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium'

const SIZES = [16, 24, 32, 48, 64, 128, 256, 512]
const root = join(import.meta.dirname, '..')

const svg = await readFile(join(root, 'build', 'icon.svg'), 'utf8')
const profile = await mkdtemp(join(tmpdir(), 'cairn-icons-'))
const browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS })
try {
  const page = await browser.newPage()
  for (const size of SIZES) {
    await page.setViewportSize({ width: size, height: size })
    await page.setContent(`<style>html,body{margin:0;background:transparent}svg{display:block;width:${size}px;height:${size}px}</style>${svg}`)
    const out = size === 512 ? join(root, 'build', 'icon.png') : join(root, 'build', 'icons', `${size}x${size}.png`)
    await page.screenshot({ path: out, omitBackground: true })
    console.log(out)
  }
} finally {
  await browser.close()
  await rm(profile, { recursive: true, force: true })
}

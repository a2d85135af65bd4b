// The system Chromium and the flags it needs here (headless, no sandbox inside containers, nothing
// phoning home), shared by the icon script, the browser tests and the UI benchmark.
export const CHROMIUM_PATH = process.env.CAIRN_CHROMIUM ?? '/usr/bin/chromium'

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run'
]

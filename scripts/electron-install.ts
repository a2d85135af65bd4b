// npm leaves Electron's binary download to us (its install script is disabled). It is tried once per
// checkout: after a failure every later start goes straight to the web shell, saying why and how
// to try again, instead of waiting on a download that cannot work here.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export const INSTALL_TIMEOUT_MS = 90_000
/** Left in node_modules/electron/ after a failed download; `--retry-electron` removes it. */
export const FAILED_MARK = '.cairn-download-failed'

export function electronBinary(electronDir: string): string | null {
  const pathFile = join(electronDir, 'path.txt')
  if (!existsSync(pathFile)) return null
  const binary = join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim())
  return existsSync(binary) ? binary : null
}

/** The Electron binary, downloading it if it was never tried; null (with a message) where it is not available. */
export function installElectronOnce(electronDir: string, opts: { retry?: boolean; timeoutMs?: number } = {}): string | null {
  const present = electronBinary(electronDir)
  if (present) return present
  if (!existsSync(join(electronDir, 'install.js'))) return null
  const mark = join(electronDir, FAILED_MARK)
  if (opts.retry) rmSync(mark, { force: true })
  if (existsSync(mark)) {
    console.log(`cairn: Electron could not be downloaded before (${readFileSync(mark, 'utf8').trim()}); using the web shell. Start with --retry-electron to try again.`)
    return null
  }
  console.log('cairn: downloading Electron (one time)…')
  const result = spawnSync(process.execPath, [join(electronDir, 'install.js')], {
    stdio: ['ignore', 'inherit', 'pipe'],
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? INSTALL_TIMEOUT_MS
  })
  const binary = electronBinary(electronDir)
  if (binary) return binary
  const reason =
    result.error && (result.error as NodeJS.ErrnoException).code === 'ETIMEDOUT'
      ? `no answer within ${Math.round((opts.timeoutMs ?? INSTALL_TIMEOUT_MS) / 1000)} s`
      : ((result.stderr ?? '').split('\n').find((line) => line.trim()) ?? 'download failed').trim()
  writeFileSync(mark, `${new Date().toISOString()}: ${reason}\n`)
  console.log(`cairn: Electron is not available here (${reason}); using the web shell instead. Start with --retry-electron to try again.`)
  return null
}

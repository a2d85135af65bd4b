// `npm start`: the desktop app where an Electron binary is (or can be) installed, else the same
// renderer in the browser through the web shell. Both read --profile / CAIRN_PROFILE and
// --bootstrap / CAIRN_BOOTSTRAP; without a bootstrap list the node joins the public DHT.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { CairnHost } from '../core/host/host'
import { parseBootstrap } from '../core/profile/bootstrap'
import { resolveProfileDir } from '../core/profile/paths'
import { startWebShell } from '../shell/web-server'
import { buildElectron } from './build-electron'
import { ensureRendererBuilt } from './build-renderer'

const root = join(import.meta.dirname, '..')
const electronDir = join(root, 'node_modules', 'electron')
const INSTALL_TIMEOUT_MS = 5 * 60_000

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    profile: { type: 'string' },
    bootstrap: { type: 'string' },
    web: { type: 'boolean', default: false },
    port: { type: 'string' },
    'no-open': { type: 'boolean', default: false },
    'no-lan': { type: 'boolean', default: false }
  },
  strict: true
})

const profileDir = resolve(resolveProfileDir(values.profile))
const bootstrapText = values.bootstrap ?? process.env.CAIRN_BOOTSTRAP
const bootstrap = parseBootstrap(bootstrapText)

function electronBinary(): string | null {
  const pathFile = join(electronDir, 'path.txt')
  if (!existsSync(pathFile)) return null
  const binary = join(electronDir, 'dist', readFileSync(pathFile, 'utf8').trim())
  return existsSync(binary) ? binary : null
}

/** npm leaves Electron's download to us (its install script is disabled): try it once. */
function installElectron(): string | null {
  const present = electronBinary()
  if (present) return present
  if (!existsSync(join(electronDir, 'install.js'))) return null
  console.log('cairn: downloading Electron (one time)…')
  const result = spawnSync(process.execPath, [join(electronDir, 'install.js')], {
    stdio: ['ignore', 'inherit', 'pipe'],
    encoding: 'utf8',
    timeout: INSTALL_TIMEOUT_MS
  })
  if (result.status !== 0) {
    const reason = (result.stderr ?? '').split('\n').find((line) => line.trim()) ?? 'download failed'
    console.log(`cairn: Electron is not available here (${reason.trim()}); using the web shell instead.`)
  }
  return electronBinary()
}

function openInBrowser(url: string): void {
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? null : 'xdg-open'
  if (!opener) return
  const child = spawn(opener, [url], { stdio: 'ignore', detached: true })
  child.on('error', () => {})
  child.unref()
}

async function runElectron(binary: string): Promise<void> {
  await buildElectron()
  const args = [
    root,
    '--profile',
    profileDir,
    ...(bootstrapText ? ['--bootstrap', bootstrapText] : []),
    ...(values['no-lan'] ? ['--no-lan'] : [])
  ]
  const child = spawn(binary, args, { stdio: 'inherit' })
  const forward = (signal: NodeJS.Signals) => child.kill(signal)
  process.on('SIGINT', forward).on('SIGTERM', forward)
  child.on('exit', (code) => process.exit(code ?? 0))
}

async function runWebShell(): Promise<void> {
  await mkdir(profileDir, { recursive: true, mode: 0o700 })
  const host = new CairnHost({ profileDir, bootstrap, ...(values['no-lan'] ? { lanDiscovery: false } : {}) })
  const port = values.port === undefined ? 0 : Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port ${values.port} is not a port number`)
  const shell = await startWebShell({ host, port })
  console.log(`cairn: profile ${profileDir}`)
  console.log(`cairn: network ${bootstrap ? bootstrap.map((b) => `${b.host}:${b.port}`).join(',') : 'public DHT'}`)
  console.log(`cairn: open ${shell.url}`)
  if (!values['no-open']) openInBrowser(shell.url)
  let stopping = false
  const stop = () => {
    if (stopping) return
    stopping = true
    void shell
      .close()
      .then(() => host.close())
      .finally(() => process.exit(0))
  }
  process.on('SIGINT', stop).on('SIGTERM', stop)
}

try {
  await ensureRendererBuilt()
  const binary = values.web ? null : installElectron()
  if (binary) await runElectron(binary)
  else await runWebShell()
} catch (err) {
  console.error(`cairn: ${err instanceof Error ? err.message : String(err)}`)
  process.exit(1)
}

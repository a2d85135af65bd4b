// The layering of README's "How it is built", checked on every import in the source tree: the core
// imports no shell, the contract (core/api) imports nothing but itself and protocol constants, the
// renderer knows only the contract, and shells reach the core only through core/api and core/host,
// never through one another (what they share lives in shell/).
import { readdir, readFile } from 'node:fs/promises'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '..')
const SOURCE_DIRS = ['core', 'shell', 'electron', 'cli', 'renderer/src']
const SHELLS = ['electron', 'cli', 'renderer']

interface Edge {
  from: string
  specifier: string
}

const IMPORT =
  /\b(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]|\bimport\s+['"]([^'"]+)['"]|\brequire\(\s*['"]([^'"]+)['"]/g

function under(path: string, folder: string): boolean {
  return path === folder || path.startsWith(`${folder}/`)
}

/** The repo-relative path an import points at, or null for a package or Node built-in. */
function target(edge: Edge): string | null {
  if (!edge.specifier.startsWith('.')) return null
  return relative(ROOT, resolve(ROOT, dirname(edge.from), edge.specifier)).split('\\').join('/')
}

/** Why an import breaks the layering, or null when it is allowed. */
export function violation(edge: Edge): string | null {
  const { from, specifier } = edge
  const to = target(edge)
  const shellOf = (path: string) => SHELLS.find((s) => under(path, s)) ?? null
  if (to !== null && ['test', 'bench', 'scripts'].some((d) => under(to, d))) return 'source imports a test, bench or script'
  if (under(from, 'core/api')) {
    if (to === null) return 'the contract imports no package or Node module'
    return under(to, 'core/api') || under(to, 'core/protocol') ? null : 'the contract imports only itself and core/protocol'
  }
  if (under(from, 'core')) {
    return to !== null && (shellOf(to) !== null || under(to, 'shell')) ? 'the core imports a shell' : null
  }
  if (under(from, 'renderer')) {
    if (specifier.startsWith('node:')) return 'the renderer imports a Node module'
    return to === null || under(to, 'renderer') || under(to, 'core/api') ? null : 'the renderer imports only the contract'
  }
  const own = shellOf(from) ?? (under(from, 'shell') ? 'shell' : null)
  if (own === null || to === null || under(to, own)) return null
  if (shellOf(to) !== null) return 'one shell imports another'
  if (under(to, 'core') && !under(to, 'core/api') && !under(to, 'core/host')) return 'a shell reaches the core only through core/api and core/host'
  return null
}

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(join(ROOT, dir), { withFileTypes: true, recursive: true })
  return entries
    .filter((e) => e.isFile() && /\.(ts|svelte|js)$/.test(e.name))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)).split('\\').join('/'))
}

async function edges(): Promise<Edge[]> {
  const files = (await Promise.all(SOURCE_DIRS.map(sourceFiles))).flat()
  const found: Edge[] = []
  for (const from of files) {
    const text = await readFile(join(ROOT, from), 'utf8')
    for (const m of text.matchAll(IMPORT)) found.push({ from, specifier: m[1] ?? m[2] ?? m[3] ?? m[4] })
  }
  return found
}

describe('layers', () => {
  it('no import in the source tree crosses a layer the wrong way', async () => {
    const all = await edges()
    // The walker must actually see the imports it judges, including the allowed crossings.
    expect(all.length).toBeGreaterThan(300)
    expect(all.some((e) => under(e.from, 'renderer') && target(e)?.startsWith('core/api/'))).toBe(true)
    expect(all.some((e) => under(e.from, 'electron') && target(e)?.startsWith('shell/'))).toBe(true)
    expect(all.some((e) => under(e.from, 'cli') && target(e)?.startsWith('core/host/'))).toBe(true)
    const broken = all.flatMap((e) => {
      const why = violation(e)
      return why ? [`${e.from} → ${e.specifier}: ${why}`] : []
    })
    expect(broken).toEqual([])
  })

  it('flags each kind of forbidden import', () => {
    const forbidden: Array<[string, string]> = [
      ['core/messenger/open.ts', '../../electron/ipc'],
      ['core/host/host.ts', '../../shell/csp'],
      ['core/api/client.ts', '../identity'],
      ['core/api/types.ts', 'node:events'],
      ['core/api/client.ts', 'b4a'],
      ['renderer/src/lib/connect.ts', '../../../electron/preload'],
      ['renderer/src/lib/connect.ts', '../../../core/host/dispatch'],
      ['renderer/src/lib/qr.ts', 'node:crypto'],
      ['electron/main.ts', '../cli/daemon'],
      ['cli/daemon.ts', '../electron/ipc'],
      ['shell/web-server.ts', '../cli/format'],
      ['cli/resolve-contact.ts', '../core/identity'],
      ['electron/args.ts', '../core/profile/paths'],
      ['core/store/index.ts', '../../test/core/helpers']
    ]
    for (const [from, specifier] of forbidden) expect(violation({ from, specifier }), `${from} → ${specifier}`).not.toBeNull()
    const allowed: Array<[string, string]> = [
      ['core/api/validate.ts', '../protocol/limits'],
      ['core/host/host.ts', '../messenger'],
      ['renderer/src/lib/connect.ts', '../../../core/api/bridge'],
      ['electron/app-protocol.ts', '../shell/static'],
      ['cli/daemon.ts', '../shell/web-server'],
      ['cli/commands.ts', '../core/host/contact-id'],
      ['shell/web-server.ts', '../core/host/dispatch']
    ]
    for (const [from, specifier] of allowed) expect(violation({ from, specifier }), `${from} → ${specifier}`).toBeNull()
  })
})

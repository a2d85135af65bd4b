// The web shell's port and its pages' session credentials (hashed, see web-sessions.ts) are kept per
// profile, so a page left open on a profile finds the restarted shell at the same address and is let
// back in, with no new URL. The port is not a secret: the credential is what guards the API.
import { readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { startWebShell, type WebShell, type WebShellOptions } from './web-server'
import { profileSessionStore } from './web-sessions'

export const PORT_FILE = 'webshell.json'

/** The port file's contents (version 1). */
export interface PortRecord {
  version: 1
  port: number
}

const validPort = (p: unknown): p is number => Number.isInteger(p) && (p as number) > 0 && (p as number) <= 65535

/** The remembered port, or null when there is none or the file is not one this version wrote. */
export async function rememberedPort(profileDir: string): Promise<number | null> {
  let text: string
  try {
    text = await readFile(join(profileDir, PORT_FILE), 'utf8')
  } catch {
    return null
  }
  try {
    const rec = JSON.parse(text) as Partial<PortRecord>
    return rec.version === 1 && validPort(rec.port) ? rec.port : null
  } catch {
    return null
  }
}

export async function rememberPort(profileDir: string, port: number): Promise<void> {
  const file = join(profileDir, PORT_FILE)
  const rec: PortRecord = { version: 1, port }
  await writeFile(`${file}.tmp`, `${JSON.stringify(rec)}\n`, { mode: 0o600 })
  await rename(`${file}.tmp`, file)
}

/**
 * Starts the web shell on the profile's remembered port (unless a port is given), or on a free one
 * when that port is taken, and remembers where it ended up; its pages' credentials are the profile's.
 */
export async function startProfileWebShell(profileDir: string, shellOpts: WebShellOptions): Promise<WebShell> {
  const opts: WebShellOptions = { ...shellOpts, sessions: shellOpts.sessions ?? (await profileSessionStore(profileDir)) }
  const remembered = opts.port ? null : await rememberedPort(profileDir)
  let shell: WebShell | null = null
  if (remembered) {
    try {
      shell = await startWebShell({ ...opts, port: remembered })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err
    }
  }
  shell ??= await startWebShell(opts)
  await rememberPort(profileDir, shell.port)
  return shell
}

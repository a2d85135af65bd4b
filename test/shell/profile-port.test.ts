// `npm start` keeps the web shell's port per profile, so a page left open finds a restarted shell
// at the same address; a port another program took meanwhile gives way to a free one.
import { EventEmitter } from 'node:events'
import { copyFile, mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ApiHost } from '../../core/host/dispatch'
import { PORT_FILE, rememberedPort, rememberPort, startProfileWebShell } from '../../shell/profile-port'
import type { WebShell } from '../../shell/web-server'

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'webshell-port-v1.json')

/** The shell needs a host only to listen for its events; nothing here calls the API. */
const idleHost = new EventEmitter() as unknown as ApiHost

describe('web shell port per profile', () => {
  let work: string
  let profile: string
  let renderer: string
  const open: WebShell[] = []

  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'cairn-port-'))
    profile = join(work, 'profile')
    renderer = join(work, 'renderer')
    await mkdir(profile)
    await mkdir(renderer)
    await writeFile(join(renderer, 'index.html'), '<!doctype html>')
  })

  afterEach(async () => {
    for (const shell of open.splice(0)) await shell.close()
    await rm(work, { recursive: true, force: true })
  })

  async function start(): Promise<WebShell> {
    const shell = await startProfileWebShell(profile, { host: idleHost, rendererDir: renderer })
    open.push(shell)
    return shell
  }

  it('reads and writes the frozen version-1 file', async () => {
    await copyFile(FIXTURE, join(profile, PORT_FILE))
    expect(await rememberedPort(profile)).toBe(47123)
    await rm(join(profile, PORT_FILE))
    await rememberPort(profile, 47123)
    expect(await readFile(join(profile, PORT_FILE))).toEqual(await readFile(FIXTURE))
  })

  it('ignores a missing, damaged or unknown file', async () => {
    expect(await rememberedPort(profile)).toBeNull()
    for (const text of ['{not json', '{"version":2,"port":47123}', '{"version":1,"port":70000}', '{"version":1,"port":"80"}', '[]']) {
      await writeFile(join(profile, PORT_FILE), text)
      expect(await rememberedPort(profile), text).toBeNull()
    }
  })

  it('a restarted shell of the same profile listens on the same port', async () => {
    const first = await start()
    const port = first.port
    await first.close()
    open.length = 0
    const second = await start()
    expect(second.port).toBe(port)
    expect(await rememberedPort(profile)).toBe(port)
  })

  it('when another program holds the remembered port, a free one is used and remembered', async () => {
    const squatter = createServer()
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve))
    const taken = (squatter.address() as { port: number }).port
    try {
      await rememberPort(profile, taken)
      const shell = await start()
      expect(shell.port).not.toBe(taken)
      expect(await rememberedPort(profile)).toBe(shell.port)
    } finally {
      await new Promise<void>((resolve) => squatter.close(() => resolve()))
    }
  })
})

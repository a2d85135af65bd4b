import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chmod, mkdtemp, rm, stat } from 'node:fs/promises'
import { createConnection } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import createTestnet from 'hyperdht/testnet.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectControl } from '../../cli/control-client'
import { startControlServer, type ControlServer } from '../../cli/control-server'
import { askWebUrl } from '../../cli/web-url'
import { controlSocketPath } from '../../cli/control-socket'
import { MAX_LINE_BYTES } from '../../cli/line-frames'
import { CairnHost } from '../../core/host/host'
import type { CairnEvent } from '../../core/api/types'
import { until } from '../helpers/cli-process'

/** Leaves a socket file with no listener behind, as a node killed with SIGKILL does. */
async function staleSocket(path: string): Promise<void> {
  const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`])
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()))
  child.kill('SIGKILL')
  await new Promise((resolve) => child.once('exit', resolve))
}

function closedByServer(path: string, payload: string | Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(path, () => socket.write(payload))
    socket.on('error', () => undefined)
    socket.once('close', () => resolve(true))
    setTimeout(() => {
      socket.destroy()
      resolve(false)
    }, 10_000)
  })
}

describe('control socket', () => {
  let testnet: Awaited<ReturnType<typeof createTestnet>>
  let dir: string
  let host: CairnHost
  let path: string

  beforeAll(async () => {
    testnet = await createTestnet(3, { host: '127.0.0.1' })
    dir = await mkdtemp(join(tmpdir(), 'cairn-cli-sock-'))
    host = new CairnHost({ profileDir: join(dir, 'p'), bootstrap: testnet.bootstrap, lanDiscovery: false })
    await host.create('Dora', 'control socket passphrase')
    path = controlSocketPath(join(dir, 'p'))
  })

  afterAll(async () => {
    await host?.close()
    await testnet?.destroy()
    await rm(dir, { recursive: true, force: true })
  })

  it('serves the API and its events owner-only, replacing a stale socket, refusing a second server', async () => {
    await chmod(join(dir, 'p'), 0o755)
    await staleSocket(path)
    expect(await connectControl(path)).toBeNull()
    expect(existsSync(path)).toBe(true)

    const server: ControlServer = await startControlServer(host, path)
    try {
      expect((await stat(path)).mode & 0o777).toBe(0o600)
      expect((await stat(join(dir, 'p'))).mode & 0o777).toBe(0o700)
      await expect(startControlServer(host, path)).rejects.toMatchObject({ code: 'profile-busy' })

      const conn = await connectControl(path)
      expect(conn).not.toBeNull()
      const events: CairnEvent[] = []
      conn!.onEvent((e) => events.push(e))
      expect(await conn!.api.profile()).toEqual(await host.profile())
      await conn!.api.setName('Dora II')
      expect(await until(() => events.some((e) => e.type === 'profile' && e.profile.name === 'Dora II'), 10_000)).toBe(true)
      await expect(conn!.api.addContact('nope', 'x')).rejects.toMatchObject({ code: 'invalid-contact-id' })

      expect(await closedByServer(path, 'this is not json\n')).toBe(true)
      expect(await closedByServer(path, Buffer.alloc(MAX_LINE_BYTES + 4096, 0x20))).toBe(true)
      expect(await conn!.api.profile()).toMatchObject({ name: 'Dora II' })
      // a node without a web shell (cairn run) says so to `cairn web-url`
      expect(await askWebUrl(path)).toBeNull()
      conn!.close()
    } finally {
      await server.close()
    }
    expect(existsSync(path)).toBe(false)
    expect(await connectControl(path)).toBeNull()
    expect(await askWebUrl(path)).toBeUndefined()
  })

  it('hands `cairn web-url` a fresh URL from the web shell of cairn serve', async () => {
    let made = 0
    const server = await startControlServer(host, path, { webUrl: () => `http://127.0.0.1:1/#code=${++made}` })
    try {
      expect(await askWebUrl(path)).toBe('http://127.0.0.1:1/#code=1')
      expect(await askWebUrl(path)).toBe('http://127.0.0.1:1/#code=2')
    } finally {
      await server.close()
    }
  })
})

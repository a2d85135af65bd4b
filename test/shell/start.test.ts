// `npm start`'s web-shell path as a user runs it (a separate process), pointed at a loopback testnet
// so nothing leaves the machine: it prints a working URL, serves the API behind its code, and
// shuts down cleanly on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { get } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { createLocalTestnet, type LocalTestnet } from '../../core/net/testnet'

const root = join(import.meta.dirname, '..', '..')

describe('npm start (web shell fallback)', () => {
  let testnet: LocalTestnet
  let work: string
  let child: ChildProcess | null = null

  beforeAll(async () => {
    testnet = await createLocalTestnet(3)
    work = await mkdtemp(join(tmpdir(), 'cairn-start-'))
  }, 180_000)

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL')
    await testnet?.destroy()
    await rm(work, { recursive: true, force: true })
  })

  it('prints the URL, serves the app and the API, exits on SIGTERM', async () => {
    const profileDir = join(work, 'profile')
    const { host, port } = testnet.bootstrap[0]
    const proc = spawn(
      process.execPath,
      ['--import', 'tsx', 'scripts/start.ts', '--web', '--no-open', '--no-lan', '--bootstrap', `${host}:${port}`],
      { cwd: root, env: { ...process.env, CAIRN_PROFILE: profileDir }, stdio: ['ignore', 'pipe', 'pipe'] }
    )
    child = proc
    let out = ''
    proc.stdout?.on('data', (d) => (out += d))
    proc.stderr?.on('data', (d) => (out += d))
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed:\n${out}`)), 90_000)
      const check = () => {
        const m = /cairn: open (http:\/\/127\.0\.0\.1:\d+\/#code=[A-Za-z0-9_-]{43})\n/.exec(out)
        if (m) {
          clearTimeout(timer)
          resolve(m[1])
        }
      }
      proc.stdout?.on('data', check)
      proc.on('exit', () => reject(new Error(`exited early:\n${out}`)))
    })
    expect(out).toContain(`cairn: profile ${profileDir}`)
    expect(out).toContain(`cairn: network ${host}:${port}`)
    expect((await stat(profileDir)).mode & 0o777).toBe(0o700)

    const page = new URL(url)
    const html = await new Promise<string>((resolve, reject) =>
      get(`${page.origin}/`, (res) => {
        let body = ''
        res.on('data', (d) => (body += d))
        res.on('end', () => resolve(body))
      }).on('error', reject)
    )
    expect(html).toContain('<title>Cairn</title>')

    const ws = new WebSocket(`ws://${page.host}/api`, { origin: page.origin })
    const replies: unknown[] = []
    ws.on('message', (d) => replies.push(JSON.parse(d.toString())))
    await new Promise((resolve) => ws.on('open', resolve))
    ws.send(JSON.stringify({ kind: 'auth', code: page.hash.replace('#code=', '') }))
    ws.send(JSON.stringify({ kind: 'request', id: 1, method: 'state', args: [] }))
    const deadline = Date.now() + 20_000
    while (replies.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    expect(replies).toEqual([
      { kind: 'auth-ok', session: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) },
      { kind: 'response', id: 1, ok: true, result: { profile: 'none', me: null } }
    ])
    ws.close()

    const exit = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)))
    proc.kill('SIGTERM')
    expect(await exit).toBe(0)
  }, 150_000)
})

// The Electron download is tried once: a failure is remembered, later starts go straight to the
// web shell, --retry-electron tries again, and a download that hangs is cut off.
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises'
import { existsSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { FAILED_MARK, installElectronOnce } from '../../scripts/electron-install'

describe('Electron download, once', () => {
  let dir: string
  let runs: string

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-electron-'))
    runs = join(dir, 'runs.log')
    vi.spyOn(console, 'log').mockImplementation(() => {})
  })

  afterEach(async () => {
    vi.restoreAllMocks()
    await rm(dir, { recursive: true, force: true })
  })

  /** An install.js standing in for Electron's: counts its runs, then fails, hangs or installs. */
  async function installer(behaviour: 'fail' | 'hang' | 'install'): Promise<void> {
    const body = {
      fail: `process.stderr.write('getaddrinfo ENOTFOUND github.com\\n'); process.exit(1)`,
      hang: `setInterval(() => {}, 1000)`,
      install: `fs.mkdirSync(path.join(__dirname, 'dist'), { recursive: true }); fs.writeFileSync(path.join(__dirname, 'dist', 'electron'), ''); fs.writeFileSync(path.join(__dirname, 'path.txt'), 'electron')`
    }[behaviour]
    await writeFile(
      join(dir, 'install.js'),
      `const fs = require('fs'); const path = require('path'); fs.appendFileSync(${JSON.stringify(runs)}, 'run\\n'); ${body}`
    )
  }

  const runCount = () => (existsSync(runs) ? readFileSync(runs, 'utf8').split('\n').filter(Boolean).length : 0)

  it('a failed download is not retried on the next start, until asked', async () => {
    await installer('fail')
    expect(installElectronOnce(dir)).toBeNull()
    expect(runCount()).toBe(1)
    expect(existsSync(join(dir, FAILED_MARK))).toBe(true)
    expect(installElectronOnce(dir)).toBeNull()
    expect(runCount()).toBe(1)
    await installer('install')
    expect(installElectronOnce(dir, { retry: true })).toBe(join(dir, 'dist', 'electron'))
    expect(runCount()).toBe(2)
  })

  it('a download that hangs is cut off and reported as such', async () => {
    await installer('hang')
    expect(installElectronOnce(dir, { timeoutMs: 1_000 })).toBeNull()
    expect(String(vi.mocked(console.log).mock.calls.at(-1)?.[0])).toContain('no answer within 1 s')
  })

  it('an installed binary is used without any download', async () => {
    await mkdir(join(dir, 'dist'))
    await writeFile(join(dir, 'dist', 'electron'), '')
    await writeFile(join(dir, 'path.txt'), 'electron')
    expect(installElectronOnce(dir)).toBe(join(dir, 'dist', 'electron'))
    expect(runCount()).toBe(0)
  })
})

import { existsSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLocalTestnet } from '../../core/net/testnet'
import { cli, CliNode, cliOnTerminal, type CliEnv } from '../helpers/cli-process'

// `cairn export` and `cairn restore`, one-shot and offline (no node runs, nothing is networked).

describe('cairn export and restore', () => {
  let root: string
  let alice: CliEnv
  let id: string
  let backupFile: string

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'cairn-cli-backup-'))
    alice = { profile: join(root, 'alice'), passphrase: 'alice passphrase', backupPassphrase: 'backup secret words' }
    const init = await cli(['init', '--name', 'Alice'], alice)
    expect(init.code, init.stderr).toBe(0)
    id = init.stdout.trim()
    backupFile = join(root, 'alice.backup')
    const exported = await cli(['export', '--backup-file', backupFile], alice)
    expect(exported.code, exported.stderr).toBe(0)
    expect(exported.stderr).toMatch(/wrote the identity backup/)
  })

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true })
  })

  it('writes the backup to a new private file, never over an existing one', async () => {
    expect(await readFile(backupFile, 'utf8')).toMatch(/^cairn-backup-v1:[A-Za-z0-9+/=]+\n$/)
    expect((await stat(backupFile)).mode & 0o777).toBe(0o600)
    const again = await cli(['export', '--backup-file', backupFile], alice)
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(/already exists/)
    const missing = await cli(['export'], alice)
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/--backup-file FILE is required/)
  })

  it('refuses a wrong backup passphrase or a damaged file and leaves no profile behind', async () => {
    const target: CliEnv = { profile: join(root, 'wrong'), passphrase: 'new passphrase', backupPassphrase: 'not it' }
    const wrong = await cli(['restore', '--backup-file', backupFile], target)
    expect(wrong.code).toBe(3)
    expect(wrong.stderr).toMatch(/^cairn: wrong passphrase\n$/)
    const damaged = join(root, 'damaged.backup')
    const text = await readFile(backupFile, 'utf8')
    await writeFile(damaged, text.slice(0, 60))
    const cut = await cli(['restore', '--backup-file', damaged], { ...target, backupPassphrase: 'backup secret words' })
    expect(cut.code).toBe(2)
    expect(cut.stderr).toMatch(/damaged|truncated|base64/)
    const absent = await cli(['restore', '--backup-file', join(root, 'nope')], target)
    expect(absent.code).toBe(2)
    expect(absent.stderr).toMatch(/cannot read --backup-file .*ENOENT/)
    expect(existsSync(target.profile!) ? await readdir(target.profile!) : []).toEqual([])
  })

  it('restores the same contact ID under a new passphrase, and never over an existing profile', async () => {
    const bob: CliEnv = { profile: join(root, 'restored'), passphrase: 'a new passphrase', backupPassphrase: 'backup secret words' }
    const restored = await cli(['restore', '--backup-file', backupFile, '--name', 'Alice 2'], bob)
    expect(restored.code, restored.stderr).toBe(0)
    expect(restored.stdout).toBe(`${id}\n`)
    expect(restored.stderr).toMatch(/add them again/)
    expect((await cli(['id', '--json'], bob)).stdout).toBe(`${JSON.stringify({ id, name: 'Alice 2' })}\n`)
    expect((await cli(['id'], { ...bob, passphrase: 'alice passphrase' })).code).toBe(3)

    const onTerminal: CliEnv = { profile: join(root, 'typed') }
    const typed = await cliOnTerminal(['restore', '--backup-file', backupFile, '--name', 'Alice'], onTerminal, [
      'backup secret words\r',
      'typed pass\r',
      'typed pass\r'
    ])
    expect(typed.code, typed.stdout).toBe(0)
    expect(typed.stdout).toMatch(/Backup passphrase: [\s\S]*New passphrase: [\s\S]*Repeat passphrase: /)
    expect(typed.stdout).toContain(id)
    expect(typed.stdout).not.toContain('backup secret words')
    expect(typed.stdout).not.toContain('typed pass')
    expect((await cli(['id'], { ...onTerminal, passphrase: 'typed pass' })).stdout).toBe(`${id}\n`)

    const over = await cli(['restore', '--backup-file', backupFile], alice)
    expect(over.code).toBe(1)
    expect(over.stderr).toMatch(/already holds an identity/)
  })

  it('exports only with the current passphrase, proven by the core even when a running, unlocked node answers', async () => {
    const testnet = await createLocalTestnet(3)
    const { host, port } = testnet.bootstrap[0]
    const node = new CliNode(['run'], { ...alice, bootstrap: `${host}:${port}` })
    try {
      await node.ready()
      const file = join(root, 'taken.backup')
      const wrong = await cli(['export', '--backup-file', file], { ...alice, passphrase: 'not the passphrase of alice' })
      expect(wrong.code).toBe(3)
      expect(wrong.stderr).toMatch(/^cairn: wrong passphrase\n$/)
      expect(existsSync(file)).toBe(false)

      // on a terminal it asks for the passphrase once, then the new backup passphrase twice
      const onTerminal: CliEnv = { profile: alice.profile }
      const typed = await cliOnTerminal(['export', '--backup-file', file], onTerminal, [
        'alice passphrase\r',
        'backup secret words\r',
        'backup secret words\r'
      ])
      expect(typed.code, typed.stdout).toBe(0)
      expect(typed.stdout.match(/Passphrase: /g)).toHaveLength(1)
      expect(await readFile(file, 'utf8')).toMatch(/^cairn-backup-v1:/)
    } finally {
      await node.stop()
      await testnet.destroy()
    }
  })
})

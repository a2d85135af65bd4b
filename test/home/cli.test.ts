import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createLocalTestnet, type LocalTestnet } from '../../core/net/testnet'
import { cli, CliNode, killAll, until } from '../helpers/cli-process'

let testnet: LocalTestnet
let dir: string
beforeAll(async () => {
  testnet = await createLocalTestnet(3)
  dir = await mkdtemp(join(tmpdir(), 'cairn-home-cli-'))
})
afterEach(() => killAll())
afterAll(async () => {
  await testnet.destroy()
  await rm(dir, { recursive: true, force: true })
})

const PASS = 'correct horse battery staple'

async function startBox(boxDir: string, bootstrap: string): Promise<CliNode> {
  const node = new CliNode(['home', 'run'], { profile: boxDir, bootstrap })
  const up = await until(() => node.stderr.includes('listening') || node.child.exitCode !== null || undefined, 30_000)
  if (!up || node.child.exitCode !== null) throw new Error(`home node did not start: ${node.stderr}`)
  return node
}

describe('cairn home', () => {
  it('init, run, pair, status, restart, unlink — a box and a device from the command line', async () => {
    const bootstrap = testnet.bootstrap.map(({ host, port }) => `${host}:${port}`).join(',')
    const boxDir = join(dir, 'box')
    const device = { profile: join(dir, 'alice'), bootstrap, passphrase: PASS }
    const other = { profile: join(dir, 'bob'), bootstrap, passphrase: PASS }

    const init = await cli(['home', 'init', '--quota', '10M', '--expire-days', '7', '--json'], { profile: boxDir })
    expect(init.code, init.stderr).toBe(0)
    const { code } = JSON.parse(init.stdout) as { box: string; code: string }
    const again = await cli(['home', 'init'], { profile: boxDir })
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/already holds a home node/)

    expect((await cli(['init', '--name', 'alice'], device)).code).toBe(0)
    expect((await cli(['init', '--name', 'bob'], other)).code).toBe(0)

    let box = await startBox(boxDir, bootstrap)
    await box.waitForEvent((e) => e.type === 'listening')
    const typo = code.slice(0, 20) + (code[20] === 'y' ? 'b' : 'y') + code.slice(21)
    const mistyped = await cli(['home', 'pair', typo], device)
    expect(mistyped.code).toBe(1)
    expect(mistyped.stderr).toMatch(/typo/)

    const pair = await cli(['home', 'pair', code, '--json'], device)
    expect(pair.code, pair.stderr).toBe(0)
    expect(JSON.parse(pair.stdout)).toMatchObject({ quota: 10 * 1024 * 1024, expireDays: 7 })
    await box.waitForEvent((e) => e.type === 'paired')
    const reused = await cli(['home', 'pair', code], other)
    expect(reused.code).toBe(1)
    expect(reused.stderr).toMatch(/already used/)

    const boxStatus = await cli(['home', 'status', '--json'], { profile: boxDir })
    expect(boxStatus.code, boxStatus.stderr).toBe(0)
    const status = JSON.parse(boxStatus.stdout) as { listening: boolean; profiles: { profile: string; quota: number }[] }
    expect(status.listening).toBe(true)
    expect(status.profiles).toHaveLength(1)

    expect(await box.stop()).toBe(0)
    expect(existsSync(join(boxDir, 'home.sock'))).toBe(false)
    box = await startBox(boxDir, bootstrap)
    const mine = await cli(['home', 'status', '--json'], device)
    expect(mine.code, mine.stderr).toBe(0)
    expect(JSON.parse(mine.stdout)).toMatchObject({ logs: 0, quota: 10 * 1024 * 1024, overQuota: false })

    const invite = await cli(['home', 'invite'], { profile: boxDir })
    expect(invite.code).toBe(0)
    expect(invite.stdout.trim().length).toBeGreaterThan(60)

    const unlink = await cli(['home', 'unlink'], device)
    expect(unlink.code, unlink.stderr).toBe(0)
    await box.waitForEvent((e) => e.type === 'unlinked')
    const after = JSON.parse((await cli(['home', 'status', '--json'], { profile: boxDir })).stdout) as { profiles: unknown[] }
    expect(after.profiles).toEqual([])
    const gone = await cli(['home', 'status'], device)
    expect(gone.code).toBe(2)
    expect(gone.stderr).toMatch(/neither a home node nor linked/)
    expect(await box.stop('SIGINT')).toBe(0)
    // Fourteen CLI processes, five of them deriving a passphrase key: a minute on a loaded 2-core machine.
  }, 150_000)

  it('usage mistakes exit 2 before anything is opened', async () => {
    const bad = await cli(['home', 'frobnicate'], { profile: join(dir, 'nothing') })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/unknown action/)
    const quota = await cli(['home', 'init', '--quota', 'lots'], { profile: join(dir, 'nothing') })
    expect(quota.code).toBe(2)
    expect(existsSync(join(dir, 'nothing', 'box.key'))).toBe(false)
  })
})

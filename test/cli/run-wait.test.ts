// `cairn run` started while a one-shot command holds the profile waits for it instead of exiting.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import createTestnet from 'hyperdht/testnet.js'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { CairnHost } from '../../core/host/host'
import { cli, CliNode, killAll, until, type CliEnv } from '../helpers/cli-process'

describe('cairn run and a briefly held profile', () => {
  let root: string
  let testnet: Awaited<ReturnType<typeof createTestnet>>
  let env: CliEnv

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'cairn-cli-run-wait-'))
    testnet = await createTestnet(3, { host: '127.0.0.1' })
    const bootstrap = testnet.bootstrap.map((n: { host: string; port: number }) => `${n.host}:${n.port}`).join(',')
    env = { profile: join(root, 'p'), bootstrap, passphrase: 'run wait passphrase' }
    expect((await cli(['init', '--name', 'Pat'], env)).code).toBe(0)
  })
  afterEach(() => killAll())
  afterAll(async () => {
    await testnet?.destroy()
    if (root) await rm(root, { recursive: true, force: true })
  })

  it('waits while another process holds the profile, then comes online', async () => {
    const holder = new CairnHost({ profileDir: env.profile!, bootstrap: [], lanDiscovery: false })
    await holder.unlock(env.passphrase!)
    const node = new CliNode(['run'], env)
    try {
      const waiting = await until(() => node.stderr.includes('held by another command') || node.child.exitCode !== null, 20_000)
      expect(waiting && node.child.exitCode, node.stderr).toBe(null)
      await holder.close()
      await node.ready()
    } finally {
      await holder.close()
      await node.stop()
    }
  }, 60_000)
})

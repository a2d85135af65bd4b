// `cairn delete --for-everyone` and `cairn disappear` between two running `cairn` processes on a
// loopback testnet: the commands go through the control socket, and the other node's `run` prints
// the change as JSON events.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import createTestnet from 'hyperdht/testnet.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cli, CliNode, killAll, type CliEnv } from '../helpers/cli-process'

describe('cairn delete --for-everyone and disappear', () => {
  let testnet: Awaited<ReturnType<typeof createTestnet>>
  let root: string
  let a: CliEnv
  let b: CliEnv

  beforeAll(async () => {
    testnet = await createTestnet(3, { host: '127.0.0.1' })
    const bootstrap = testnet.bootstrap.map((n: { host: string; port: number }) => `${n.host}:${n.port}`).join(',')
    root = await mkdtemp(join(tmpdir(), 'cairn-cli-changes-'))
    a = { profile: join(root, 'a'), bootstrap, passphrase: 'alpha passphrase' }
    b = { profile: join(root, 'b'), bootstrap, passphrase: 'bravo passphrase' }
    const [initA, initB] = await Promise.all([cli(['init', '--name', 'Alice'], a), cli(['init', '--name', 'Bob'], b)])
    expect(initA.code, initA.stderr).toBe(0)
    expect(initB.code, initB.stderr).toBe(0)
    expect((await cli(['add', initB.stdout.trim(), '--name', 'bob'], a)).code).toBe(0)
    expect((await cli(['add', initA.stdout.trim(), '--name', 'alice'], b)).code).toBe(0)
  })

  afterAll(async () => {
    await killAll()
    await testnet?.destroy()
    if (root) await rm(root, { recursive: true, force: true })
  })

  it('changes both sides, and run prints the tombstone, the timer line and the setting', async () => {
    const nodeA = new CliNode(['run'], a)
    const nodeB = new CliNode(['run'], b)
    await Promise.all([nodeA.ready(), nodeB.ready()])
    const viaA: CliEnv = { ...a, passphrase: undefined }
    const viaB: CliEnv = { ...b, passphrase: undefined }
    const message = (e: Record<string, unknown>) => (e.type === 'message' ? (e.message as Record<string, unknown>) : null)

    await cli(['send', 'alice', 'hello'], viaB)
    await nodeA.waitForEvent((e) => message(e)?.text === 'hello', 90_000)
    const sent = await cli(['send', 'bob', 'take this back'], viaA)
    expect(sent.code, sent.stderr).toBe(0)
    await nodeB.waitForEvent((e) => message(e)?.text === 'take this back')

    const bad = await cli(['disappear', 'bob', '2d'], viaA)
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/off, 5m, 1h, 8h, 1d, 1w, 4w/)
    const set = await cli(['disappear', 'bob', '1d'], viaA)
    expect(set.code, set.stderr).toBe(0)
    expect(set.stdout).toBe('disappearing messages with bob: 1d\n')
    await nodeB.waitForEvent((e) => e.type === 'contact' && (e.contact as { disappearing?: number }).disappearing === 86_400)
    await nodeB.waitForEvent((e) => message(e)?.timer === 86_400 && message(e)?.direction === 'in')
    expect((await cli(['contacts'], viaB)).stdout).toMatch(/disappearing 1 day/)
    expect((await cli(['history', 'alice'], viaB)).stdout).toMatch(/\* they set disappearing messages to 1 day/)

    const refused = await cli(['delete', 'alice', JSON.parse((await cli(['history', 'alice', '--json'], viaB)).stdout).messages.find((m: { text: string }) => m.text === 'take this back').id, '--for-everyone'], viaB)
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toMatch(/only my own/)
    const deleted = await cli(['delete', 'bob', sent.stdout.trim(), '--for-everyone'], viaA)
    expect(deleted.code, deleted.stderr).toBe(0)
    const tomb = message(await nodeB.waitForEvent((e) => message(e)?.deleted === true))!
    expect(tomb.text).toBe('')
    expect((await cli(['history', 'alice'], viaB)).stdout).toMatch(/< \(message deleted\)/)

    expect(await nodeA.stop()).toBe(0)
    expect(await nodeB.stop()).toBe(0)
  }, 180_000)
})

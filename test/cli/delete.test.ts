// `cairn delete` and `cairn clear`: one-shot, on a profile whose contact never came online (the
// message waits in the outbox), on a loopback testnet.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import createTestnet from 'hyperdht/testnet.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodeContactId, generateIdentity } from '../../core/identity'
import { cli, type CliEnv } from '../helpers/cli-process'

describe('cairn delete and clear', () => {
  let root: string
  let testnet: Awaited<ReturnType<typeof createTestnet>>
  let alice: CliEnv
  const bob = encodeContactId(generateIdentity().publicKey)

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'cairn-cli-delete-'))
    testnet = await createTestnet(3, { host: '127.0.0.1' })
    const bootstrap = testnet.bootstrap.map((n: { host: string; port: number }) => `${n.host}:${n.port}`).join(',')
    alice = { profile: join(root, 'alice'), bootstrap, passphrase: 'alice passphrase here' }
    expect((await cli(['init', '--name', 'Alice'], alice)).code).toBe(0)
    expect((await cli(['add', bob, '--name', 'Bob'], alice)).code).toBe(0)
  })

  afterAll(async () => {
    await testnet?.destroy()
    if (root) await rm(root, { recursive: true, force: true })
  })

  const texts = async () => (JSON.parse((await cli(['history', 'Bob', '--json'], alice)).stdout) as { messages: { text: string }[] }).messages.map((m) => m.text)

  it('deletes the message whose id send printed, refuses an unknown id, and clears the rest', { timeout: 180_000 }, async () => {
    const first = await cli(['send', 'Bob', 'first'], alice)
    expect(first.code, first.stderr).toBe(0)
    expect((await cli(['send', 'Bob', 'second'], alice)).code).toBe(0)
    expect((await cli(['send', 'Bob', 'third'], alice)).code).toBe(0)

    const deleted = await cli(['delete', 'Bob', first.stdout.trim()], alice)
    expect(deleted.code, deleted.stderr).toBe(0)
    expect(await texts()).toEqual(['third', 'second'])
    const unknown = await cli(['delete', 'Bob', 'abc-1'], alice)
    expect(unknown.code).not.toBe(0)
    expect(unknown.stderr).toMatch(/no message/)

    const cleared = await cli(['clear', 'Bob'], alice)
    expect(cleared.code, cleared.stderr).toBe(0)
    expect(await texts()).toEqual([])
    expect((JSON.parse((await cli(['contacts', '--json'], alice)).stdout) as { name: string }[]).map((c) => c.name)).toEqual(['Bob'])
  })

  it('refuses disappearing messages and a delete for everyone before Bob ever connected, saying why', { timeout: 120_000 }, async () => {
    const refused = await cli(['disappear', 'Bob', '1d'], alice)
    expect(refused.code).not.toBe(0)
    expect(refused.stderr).toMatch(/once this contact has connected/)
    const queued = await cli(['send', 'Bob', 'still queued'], alice)
    // never sent: deleting it for everyone deletes it here
    const deleted = await cli(['delete', 'Bob', queued.stdout.trim(), '--for-everyone'], alice)
    expect(deleted.code, deleted.stderr).toBe(0)
    expect(deleted.stderr).toMatch(/leaves when `cairn run` next runs/)
    expect(await texts()).toEqual([])
  })
})


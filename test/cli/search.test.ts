// `cairn search`: one-shot, on a profile whose contacts never came online (the messages wait in
// the outbox, and are in the history), on a loopback testnet.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import createTestnet from 'hyperdht/testnet.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SearchHit } from '../../core/api/types'
import { encodeContactId, generateIdentity } from '../../core/identity'
import { cli, type CliEnv } from '../helpers/cli-process'

describe('cairn search', () => {
  let root: string
  let testnet: Awaited<ReturnType<typeof createTestnet>>
  let alice: CliEnv
  const bob = encodeContactId(generateIdentity().publicKey)
  const carol = encodeContactId(generateIdentity().publicKey)

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'cairn-cli-search-'))
    testnet = await createTestnet(3, { host: '127.0.0.1' })
    const bootstrap = testnet.bootstrap.map((n: { host: string; port: number }) => `${n.host}:${n.port}`).join(',')
    alice = { profile: join(root, 'alice'), bootstrap, passphrase: 'alice passphrase here' }
    expect((await cli(['init', '--name', 'Alice'], alice)).code).toBe(0)
    expect((await cli(['add', bob, '--name', 'Bob'], alice)).code).toBe(0)
    expect((await cli(['add', carol, '--name', 'Carol'], alice)).code).toBe(0)
  }, 60_000)

  afterAll(async () => {
    await testnet?.destroy()
    if (root) await rm(root, { recursive: true, force: true })
  })

  it('finds across conversations or in one, prints JSON, and refuses bad queries', { timeout: 180_000 }, async () => {
    for (const [to, text] of [['Bob', 'the blue harbour at noon'], ['Carol', 'a harbour seal'], ['Bob', 'nothing here']]) {
      const sent = await cli(['send', to, text], alice)
      expect(sent.code, sent.stderr).toBe(0)
    }
    const all = await cli(['search', 'harb'], alice)
    expect(all.code, all.stderr).toBe(0)
    expect(all.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}Carol > \S+ {2}a harbour seal$/),
      expect.stringMatching(/ Bob > \S+ {2}the blue harbour at noon$/)
    ])

    const json = await cli(['search', 'harbour', '--contact', 'Bob', '--json'], alice)
    expect(json.code, json.stderr).toBe(0)
    const hits = JSON.parse(json.stdout) as SearchHit[]
    expect(hits).toMatchObject([{ contact: bob, direction: 'out', snippet: 'the blue harbour at noon', highlights: [[9, 16]] }])
    const history = JSON.parse((await cli(['history', 'Bob', '--json'], alice)).stdout) as { messages: { id: string }[] }
    expect(history.messages.map((m) => m.id)).toContain(hits[0].message)

    expect((await cli(['search', 'submarine'], alice)).stdout).toBe('no messages found\n')
    const empty = await cli(['search', ''], alice)
    expect(empty.code).not.toBe(0)
    expect(empty.stderr).toMatch(/text must not be empty/)
    const huge = await cli(['search', 'x'.repeat(300)], alice)
    expect(huge.code).not.toBe(0)
    expect(huge.stderr).toMatch(/at most 256 characters/)
    const nobody = await cli(['search', 'harbour', '--contact', 'Nobody'], alice)
    expect(nobody.code).not.toBe(0)
    expect((await cli(['search', '.*(['], alice)).stdout).toBe('no messages found\n')
  })
})

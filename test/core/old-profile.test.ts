// A profile written before store epochs opens, keeps its history and contact, moves its store into
// an epoch of its own and leaves none of the old store's sealed values on disk.
import { execFileSync } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openMessenger, type Messenger } from '../../core/messenger'
import { createLocalTestnet, type LocalTestnet } from '../../core/net/testnet'
import { copyAndDump } from './profile-dump'

const FIXTURES = join(__dirname, '../fixtures')
const dirs: string[] = []
let testnet: LocalTestnet | null = null
let open: Messenger | null = null

afterEach(async () => {
  await open?.close()
  open = null
  await testnet?.destroy()
  testnet = null
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-old-profile-'))
  dirs.push(dir)
  return dir
}

/** Unpacks the fixture. Corestore refuses a folder whose CORESTORE device file was copied (it is bound to its inode), so that file goes. */
async function unpack(): Promise<string> {
  const dir = await tempDir()
  execFileSync('tar', ['-xzf', join(FIXTURES, 'profile-v1.tgz'), '-C', dir])
  await rm(join(dir, 'alice', 'cores', 'CORESTORE'))
  return join(dir, 'alice')
}

describe('a profile from before store epochs', () => {
  it('opens with its history, then holds it only in a new epoch', async () => {
    const fixture = JSON.parse(await readFile(join(FIXTURES, 'profile-v1.json'), 'utf8'))
    const profileDir = await unpack()
    const before = await copyAndDump(profileDir, await tempDir(), fixture.passphrase)
    expect(before.epoch).toBe(0)
    expect(before.values.some(({ value }) => value.includes(Buffer.from(fixture.texts[0])))).toBe(true)

    testnet = await createLocalTestnet(3)
    open = await openMessenger({ profileDir, passphrase: fixture.passphrase, bootstrap: testnet.bootstrap, lanDiscovery: false })
    expect(open.id).toBe(fixture.alice)
    expect(open.contacts().map((c) => c.id)).toEqual([fixture.bob])
    expect((await open.history(fixture.bob)).messages.map((m) => m.text)).toEqual(fixture.texts)
    await open.close()
    open = null

    const after = await copyAndDump(profileDir, await tempDir(), fixture.passphrase)
    expect(after.epoch).toBeGreaterThan(0)
    expect(after.values.some(({ value }) => value.includes(Buffer.from(fixture.texts[0])))).toBe(true)
    expect(before.sealed.filter((v) => after.raw.includes(v))).toEqual([])
  })
})

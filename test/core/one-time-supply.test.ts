import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Corestore from 'corestore'
import { afterEach, describe, expect, it } from 'vitest'
import { cryptoReady, randomBytes } from '../../core/crypto'
import { generateIdentity } from '../../core/identity'
import { storeCipher } from '../../core/messenger/store-keys'
import { MAX_KEPT_ONE_TIME, OneTimeSupply } from '../../core/messenger/one-time-supply'
import { decodePublishedOneTimePrekey } from '../../core/ratchet'
import { keys, Store } from '../../core/store'

const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c()
})

async function openStore(dir: string, key: Buffer): Promise<{ store: Store; corestore: Corestore }> {
  const corestore = new Corestore(dir)
  const store = new Store(corestore.get({ name: 'local' }), storeCipher(key))
  await store.ready()
  cleanup.push(() => corestore.close())
  return { store, corestore }
}

describe('my one-time prekeys', () => {
  it('are stored before they are published, numbered on across a restart, capped with the oldest dropped (and the epoch ended)', async () => {
    await cryptoReady()
    const dir = await mkdtemp(join(tmpdir(), 'cairn-otk-'))
    cleanup.push(() => rm(dir, { recursive: true, force: true }))
    const key = randomBytes(32)
    const me = generateIdentity()
    let erased = 0
    const { store, corestore } = await openStore(dir, key)
    const supply = await OneTimeSupply.load(store, async () => void erased++)
    const first = (await supply.make(me, 150)).map((b) => decodePublishedOneTimePrekey(b, me.publicKey))
    expect(first.map((k) => k.id)).toEqual(Array.from({ length: 150 }, (_, i) => i + 1))
    expect(first.every((k) => supply.get(k.id)!.publicKey.equals(k.publicKey))).toBe(true)
    expect(erased).toBe(0)

    // as a conversation does: the record goes in the write that keeps the session, then used()
    await store.write((tx) => tx.del(keys.oneTimePrekey(3)))
    await supply.used([3])
    expect(supply.get(3)).toBeNull()
    expect(erased).toBe(1)

    const more = (await supply.make(me, 100)).map((b) => decodePublishedOneTimePrekey(b, me.publicKey))
    expect(more[0].id).toBe(151)
    expect(supply.size).toBe(MAX_KEPT_ONE_TIME)
    // 149 were kept, 100 more make 249: the 49 oldest go, and the epoch ends so their secrets leave the disk
    expect(supply.get(50)).toBeNull()
    expect(supply.get(51)).not.toBeNull()
    expect(erased).toBe(2)
    expect(await store.get(keys.oneTimePrekey(50))).toBeNull()

    await store.close()
    await corestore.close()
    const reopened = await OneTimeSupply.load((await openStore(dir, key)).store, async () => undefined)
    expect(reopened.size).toBe(MAX_KEPT_ONE_TIME)
    expect(reopened.get(250)!.secretKey.equals(supply.get(250)!.secretKey)).toBe(true)
    const next = decodePublishedOneTimePrekey((await reopened.make(me, 1))[0], me.publicKey)
    expect(next.id).toBe(251)
  })
})

import Corestore from 'corestore'
import { afterEach, describe, expect, it } from 'vitest'
import { cryptoReady, randomBytes } from '../../core/crypto'
import { storeCipher } from '../../core/messenger/store-keys'
import { keys, Store } from '../../core/store'
import { Fixture } from '../helpers/core'

const f = new Fixture()
const open: Array<{ close(): Promise<void> }> = []
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close()
  await f.cleanup()
})

async function openStore(dir: string, storageKey: Buffer): Promise<{ store: Store; corestore: Corestore }> {
  await cryptoReady()
  const corestore = new Corestore(dir)
  open.push(corestore)
  const store = new Store(corestore.get({ name: 'local' }), storeCipher(storageKey))
  await store.ready()
  return { store, corestore }
}

describe('encrypted store', () => {
  it('round-trips values and lists a prefix in key order, newest first on request', async () => {
    const { store } = await openStore(await f.dir(), randomBytes(32))
    const tag = store.tag(randomBytes(32))
    await store.write((tx) => {
      for (let i = 0; i < 5; i++) tx.putJson(keys.message(tag, i), { n: i })
    })
    expect(await store.getJson(keys.message(tag, 3))).toEqual({ n: 3 })
    const seen: number[] = []
    for await (const { value } of store.range(keys.messages(tag), { reverse: true, limit: 3 })) seen.push(JSON.parse(value.toString()).n)
    expect(seen).toEqual([4, 3, 2])
  })

  it('never writes plaintext values or contact keys to disk', async () => {
    const { store, corestore } = await openStore(await f.dir(), randomBytes(32))
    const contactKey = randomBytes(32)
    const tag = store.tag(contactKey)
    await store.write((tx) => {
      tx.putJson(keys.contact(tag), { pk: contactKey.toString('hex'), name: 'SECRET-NAME' })
      tx.putJson(keys.message(tag, 0), { text: 'SECRET-TEXT' })
    })
    const core = corestore.get({ name: 'local' })
    await core.ready()
    const raw: Buffer[] = []
    for (let i = 0; i < core.length; i++) raw.push((await core.get(i))!)
    await core.close()
    const all = Buffer.concat(raw)
    expect(all.length).toBeGreaterThan(0)
    for (const needle of [Buffer.from('SECRET-NAME'), Buffer.from('SECRET-TEXT'), contactKey, Buffer.from(contactKey.toString('hex'))]) {
      expect(all.includes(needle)).toBe(false)
    }
  })

  it('a step that fails writes nothing', async () => {
    const { store } = await openStore(await f.dir(), randomBytes(32))
    const tag = store.tag(randomBytes(32))
    await expect(
      store.write((tx) => {
        tx.putJson(keys.message(tag, 0), { a: 1 })
        throw new Error('crash in the middle')
      })
    ).rejects.toThrow('crash in the middle')
    expect(await store.get(keys.message(tag, 0))).toBeNull()
    await store.write((tx) => tx.putJson(keys.message(tag, 0), { a: 2 }))
    expect(await store.getJson(keys.message(tag, 0))).toEqual({ a: 2 })
  })

  it('values read under another storage key are a typed corrupt-profile error', async () => {
    const dir = await f.dir()
    const first = await openStore(dir, randomBytes(32))
    await first.store.write((tx) => tx.putJson(keys.meta(), { name: 'x' }))
    await first.corestore.close()
    open.length = 0
    const second = await openStore(dir, randomBytes(32))
    await expect(second.store.get(keys.meta())).rejects.toMatchObject({ code: 'corrupt-profile' })
  })
})

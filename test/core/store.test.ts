import { spawn } from 'node:child_process'
import { once } from 'node:events'
import Corestore from 'corestore'
import Hyperbee from 'hyperbee'
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

  it('writes issued together commit in groups: each step sees the ones before it, a failing one writes nothing, the others land', async () => {
    const dir = await f.dir()
    const { store, corestore } = await openStore(dir, randomBytes(32))
    const core = corestore.get({ name: 'local' })
    await core.ready()
    const tag = store.tag(randomBytes(32))
    const counter = keys.message(tag, 0)
    await store.write((tx) => tx.putJson(counter, { n: 0 }))
    const before = core.length
    const committed: number[] = []
    const writes = Array.from({ length: 200 }, (_, i) =>
      store.write(
        async (tx) => {
          const { n } = (await tx.getJson<{ n: number }>(counter))!
          tx.putJson(counter, { n: n + 1 })
          tx.putJson(keys.message(tag, i + 1), { i })
          if (i === 50) throw new Error('step 50 fails')
          return n + 1
        },
        (n) => committed.push(n)
      )
    )
    const results = await Promise.allSettled(writes)
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1)
    expect(await store.getJson(counter)).toEqual({ n: 199 })
    expect(await store.get(keys.message(tag, 51))).toBeNull()
    expect(await store.getJson(keys.message(tag, 200))).toEqual({ i: 199 })
    expect(committed).toEqual(Array.from({ length: 199 }, (_, i) => i + 1))
    // One Hyperbee batch appends one block per key it changes, so 200 flushed alone would append at
    // least 400; grouped, the counter is rewritten once per group, and a big group is one journal block.
    const appended = core.length - before
    console.log(`200 concurrent writes appended ${appended} blocks`)
    expect(appended).toBeLessThan(300)
  })

  it('a move to a new core asked for during a burst runs between two batches: every write lands, the later ones in the new core', async () => {
    const storageKey = randomBytes(32)
    const { store, corestore } = await openStore(await f.dir(), storageKey)
    const tag = store.tag(randomBytes(32))
    const next = corestore.get({ name: 'next' })
    await next.ready()
    let retired = 0
    const writes = Array.from({ length: 600 }, (_, i) => store.write((tx) => tx.putJson(keys.message(tag, i), { i })))
    const moved = store.replace(next, storeCipher(storageKey, randomBytes(32)), async () => undefined, async (former) => {
      retired = former.core.length
    })
    const late = Array.from({ length: 10 }, (_, i) => store.write((tx) => tx.putJson(keys.message(tag, 600 + i), { i: 600 + i })))
    await Promise.all([...writes, moved, ...late])
    // the burst is more than one batch, so the move went in between: some writes before it, some after
    expect(retired).toBeGreaterThan(0)
    expect(retired).toBeLessThan(600)
    expect(store.blocks).toBe(next.length)
    const kept: number[] = []
    for await (const { value } of store.range(keys.messages(tag))) kept.push(JSON.parse(value.toString()).i)
    expect(kept).toEqual(Array.from({ length: 610 }, (_, i) => i))
  })

  it('every sealed value has a nonce of its own, across refills of the nonce pool, and opens again', async () => {
    await cryptoReady()
    const cipher = storeCipher(randomBytes(32))
    const plain = Buffer.from('the same value')
    const key = Buffer.from('the same key')
    const sealed = Array.from({ length: 2_000 }, () => cipher.seal(plain, key))
    expect(new Set(sealed.map((v) => v.subarray(0, 24).toString('hex'))).size).toBe(sealed.length)
    for (const v of sealed) expect(cipher.open(v, key)).toEqual(plain)
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

const numbers = async (store: Store, prefix: Buffer, opts: { reverse?: boolean; limit?: number; gte?: Buffer } = {}) => {
  const out: number[] = []
  for await (const { value } of store.range(prefix, opts)) out.push(JSON.parse(value.toString()).i)
  return out
}

const entries = async (store: Store, prefix: Buffer) => {
  let n = 0
  for await (const entry of store.range(prefix)) if (entry) n++
  return n
}

describe('journal: a burst committed in one block, applied later', () => {
  it('reads see a burst exactly as they see it once applied: gets, ranges both ways with limits, deletes that hide stored entries', async () => {
    const { store, corestore } = await openStore(await f.dir(), randomBytes(32))
    const core = corestore.get({ name: 'local' })
    await core.ready()
    const tag = store.tag(randomBytes(32))
    await store.write((tx) => {
      for (let i = 0; i < 10; i++) tx.putJson(keys.message(tag, i), { i, v: 'old' })
    })
    const before = core.length
    // the burst deletes the even stored entries, rewrites the odd ones and adds 90 more
    const burst = Array.from({ length: 100 }, (_, i) =>
      store.write((tx) => (i < 10 && i % 2 === 0 ? tx.del(keys.message(tag, i)) : tx.putJson(keys.message(tag, i), { i, v: 'new' })))
    )
    await Promise.all(burst)
    expect(core.length - before).toBe(1)
    const expected = [1, 3, 5, 7, 9, ...Array.from({ length: 90 }, (_, i) => i + 10)]
    const reads = async () => {
      expect(await store.get(keys.message(tag, 0))).toBeNull()
      expect(await store.getJson(keys.message(tag, 1))).toEqual({ i: 1, v: 'new' })
      expect(await store.getJson(keys.message(tag, 99))).toEqual({ i: 99, v: 'new' })
      expect(await numbers(store, keys.messages(tag))).toEqual(expected)
      expect(await numbers(store, keys.messages(tag), { reverse: true, limit: 3 })).toEqual([99, 98, 97])
      expect(await numbers(store, keys.messages(tag), { limit: 3 })).toEqual([1, 3, 5])
      expect(await numbers(store, keys.messages(tag), { gte: keys.message(tag, 4), limit: 2 })).toEqual([5, 7])
      expect(await numbers(store, keys.messages(tag), { reverse: true, gte: keys.message(tag, 8) })).toEqual(expected.filter((n) => n >= 8).reverse())
    }
    await reads()
    await store.settled()
    expect(core.length - before).toBeGreaterThan(90)
    await reads()
    expect(await entries(store, keys.journals())).toBe(0)
  })

  it('a process killed the moment its burst is acknowledged leaves journals that the next open applies', async () => {
    const dir = await f.dir()
    const storageKey = randomBytes(32)
    const tagSeed = randomBytes(32)
    const child = spawn(process.execPath, ['--import', 'tsx', new URL('../helpers/store-child.ts', import.meta.url).pathname, dir, storageKey.toString('hex'), tagSeed.toString('hex'), '600'], {
      stdio: 'inherit'
    })
    const [, signal] = (await once(child, 'exit')) as [number | null, string | null]
    expect(signal).toBe('SIGKILL')
    // the kill came before any journal was applied: they are still stored
    const raw = new Corestore(dir)
    const bee = new Hyperbee(raw.get({ name: 'local' }), { keyEncoding: 'binary', valueEncoding: 'binary' })
    let journals = 0
    for await (const node of bee.createReadStream({ gte: keys.journals(), lt: keys.journal(Number.MAX_SAFE_INTEGER) })) if (node) journals++
    await raw.close()
    expect(journals).toBeGreaterThan(0)

    const { store } = await openStore(dir, storageKey)
    const tag = store.tag(tagSeed)
    const all = Array.from({ length: 600 }, (_, i) => i)
    expect(await numbers(store, keys.messages(tag))).toEqual(all)
    await store.settled()
    expect(await numbers(store, keys.messages(tag))).toEqual(all)
    expect(await entries(store, keys.journals())).toBe(0)
  })

  it('a move to a new core takes the journals into its copy as the entries they make, without writing them to the former core, and the copy opens again', async () => {
    const storageKey = randomBytes(32)
    const dir = await f.dir()
    const { store, corestore } = await openStore(dir, storageKey)
    const tag = store.tag(randomBytes(32))
    // held, as a catch-up holds it: the journals wait for the move instead of a pause in the writes
    const release = store.hold()
    await store.write((tx) => tx.putJson(keys.message(tag, 0), { i: 0, text: 'stored' }))
    // a burst big enough to be journaled, then a delete and an overwrite in a later journal
    await Promise.all(Array.from({ length: 300 }, (_, i) => store.write((tx) => tx.putJson(keys.message(tag, i + 1), { i: i + 1, text: 'journaled' }))))
    await store.write((tx) => {
      for (let i = 0; i < 64; i++) tx.putJson(keys.message(tag, 400 + i), { i: 400 + i, text: 'late' })
      tx.del(keys.message(tag, 5))
      tx.putJson(keys.message(tag, 0), { i: 0, text: 'overwritten' })
    })
    expect(await entries(store, keys.journals())).toBeGreaterThan(0)
    const formerBlocks = store.blocks
    const cipher = storeCipher(storageKey, randomBytes(32))
    const next = corestore.get({ name: 'next' })
    await next.ready()
    let blocksAtSwitch = -1
    await store.replace(next, cipher, async () => void (blocksAtSwitch = store.blocks), async () => undefined)
    release()
    // the former core took no block between the last write and the switch: no journal was applied to it
    expect(blocksAtSwitch).toBe(formerBlocks)
    const expected = [0, ...Array.from({ length: 300 }, (_, i) => i + 1).filter((i) => i !== 5), ...Array.from({ length: 64 }, (_, i) => 400 + i)]
    expect(await numbers(store, keys.messages(tag))).toEqual(expected)
    expect(await entries(store, keys.journals())).toBe(0)
    expect(await store.getJson(keys.message(tag, 0))).toEqual({ i: 0, text: 'overwritten' })
    // the new core alone, opened as the next open would: every entry there, no journal to replay
    const reopened = new Store(corestore.get({ name: 'next' }), cipher)
    await reopened.ready()
    expect(await numbers(reopened, keys.messages(tag))).toEqual(expected)
    expect(await entries(reopened, keys.journals())).toBe(0)
    expect(await reopened.getJson(keys.message(tag, 0))).toEqual({ i: 0, text: 'overwritten' })
  })

  it('a move to a new core copies no journal as it is, since one may hold what a later write deleted', async () => {
    const storageKey = randomBytes(32)
    const { store, corestore } = await openStore(await f.dir(), storageKey)
    const tag = store.tag(randomBytes(32))
    const next = corestore.get({ name: 'next' })
    await next.ready()
    // more than one batch, so that the delete lands in a later journal than the text it deletes
    const writes = Array.from({ length: 300 }, (_, i) => store.write((tx) => tx.putJson(keys.message(tag, i), { i, text: 'SECRET' })))
    writes.push(store.write((tx) => tx.del(keys.message(tag, 0))))
    const moved = store.replace(next, storeCipher(storageKey, randomBytes(32)), async () => undefined, async () => undefined)
    await Promise.all([...writes, moved])
    expect(await entries(store, keys.journals())).toBe(0)
    expect(await numbers(store, keys.messages(tag))).toEqual(Array.from({ length: 299 }, (_, i) => i + 1))
  })
})

// Store epochs on their own: the write bound, a crash between the switch and the erase, and the
// epoch file's frozen format.
import { readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import Corestore from 'corestore'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { cryptoReady, randomBytes } from '../../core/crypto'
import { storeCipher } from '../../core/messenger/store-keys'
import { keys } from '../../core/store'
import { decodeEpochRecord, encodeEpochRecord, readEpochFile } from '../../core/store/epoch-file'
import { StoreEpochs, type EpochPolicy } from '../../core/store/epochs'
import { Fixture, waitFor } from '../helpers/core'
// @ts-expect-error hyperbee's wire messages have no types; read-only use in a test
import { Node } from 'hyperbee/lib/messages.js'

const f = new Fixture()
const open: Array<{ close(): Promise<void> }> = []
beforeAll(() => cryptoReady())
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close()
  await f.cleanup()
})

const storageKey = randomBytes(32)
const fileKey = randomBytes(32)

async function openEpochs(dir: string, policy?: EpochPolicy): Promise<{ epochs: StoreEpochs; corestore: Corestore }> {
  const corestore = new Corestore(join(dir, 'cores'))
  open.push(corestore)
  const epochs = await StoreEpochs.open({
    corestore,
    file: join(dir, 'store-epoch'),
    fileKey,
    cipherFor: (epochKey) => storeCipher(storageKey, epochKey),
    policy,
    onError: (err) => {
      throw err
    }
  })
  open.push(epochs)
  return { epochs, corestore }
}

/** The sealed values in a store core's blocks, read through a second session of the core. */
async function sealedValues(corestore: Corestore, name: string): Promise<Buffer[]> {
  const core = corestore.get({ name })
  await core.ready()
  const out: Buffer[] = []
  for (let i = 1; i < core.length; i++) {
    const node = Node.decode(await core.get(i))
    if (node.value) out.push(Buffer.from(node.value))
  }
  await core.close()
  return out
}

async function rawFiles(dir: string): Promise<Buffer> {
  const parts: Buffer[] = []
  for (const name of await readdir(dir, { recursive: true })) {
    const path = join(dir, name)
    if ((await stat(path)).isFile()) parts.push(await readFile(path))
  }
  return Buffer.concat(parts)
}

describe('store epochs', () => {
  it('ends an epoch once it holds maxBlocks blocks: superseded values leave the disk, live ones stay', async () => {
    const dir = await f.dir()
    const { epochs, corestore } = await openEpochs(dir, { maxBlocks: 40, maxBytes: Number.MAX_SAFE_INTEGER, maxAgeMs: Number.MAX_SAFE_INTEGER })
    const { store } = epochs
    const tag = store.tag(randomBytes(32))
    await store.write((tx) => tx.putJson(keys.message(tag, 0), { text: 'kept' }))
    await waitFor('first epoch', () => epochs.epoch === 1)
    await epochs.idle()
    for (let i = 0; i < 30; i++) await store.write((tx) => tx.putJson(keys.message(tag, 1), { text: `version ${i}` }))
    expect(epochs.epoch).toBe(1)
    const superseded = await sealedValues(corestore, 'local/1')
    for (let i = 30; i < 45; i++) await store.write((tx) => tx.putJson(keys.message(tag, 1), { text: `version ${i}` }))
    await waitFor('the epoch ends', () => epochs.epoch === 2)
    await epochs.idle()
    expect(store.blocks).toBeLessThan(40)
    expect(await store.getJson(keys.message(tag, 0))).toEqual({ text: 'kept' })
    expect(await store.getJson(keys.message(tag, 1))).toMatchObject({ text: expect.stringMatching(/^version \d+$/) })
    for (const o of open.splice(0).reverse()) await o.close()
    const raw = await rawFiles(dir)
    expect(superseded.length).toBeGreaterThan(25)
    expect(superseded.filter((v) => raw.includes(v))).toEqual([])
  })

  it('counts an epoch from the end of its copy: a store with more live entries than maxBlocks moves again only after as many writes', async () => {
    const dir = await f.dir()
    const policy = { maxBlocks: 40, maxBytes: Number.MAX_SAFE_INTEGER, maxAgeMs: Number.MAX_SAFE_INTEGER }
    const first = await openEpochs(dir, policy)
    const { store } = first.epochs
    const tag = store.tag(randomBytes(32))
    await store.write((tx) => {
      for (let i = 0; i < 100; i++) tx.putJson(keys.message(tag, i), { text: `live ${i}` })
    })
    await waitFor('first epoch', () => first.epochs.epoch === 1)
    await first.epochs.idle()
    const copied = store.blocks
    expect(copied).toBeGreaterThanOrEqual(100)
    for (let i = 0; i < copied - 1; i++) await store.write((tx) => tx.putJson(keys.message(tag, 0), { text: `version ${i}` }))
    await first.epochs.idle()
    expect(first.epochs.epoch).toBe(1)
    for (const o of open.splice(0).reverse()) await o.close()
    expect((await readEpochFile(join(dir, 'store-epoch'), fileKey))!).toMatchObject({ epoch: 1, startBlocks: copied })

    const second = await openEpochs(dir, policy)
    expect(second.epochs.epoch).toBe(1)
    await second.epochs.store.write((tx) => tx.putJson(keys.message(tag, 0), { text: 'one more' }))
    await waitFor('the epoch ends', () => second.epochs.epoch === 2)
    await second.epochs.idle()
    expect(await second.epochs.store.getJson(keys.message(tag, 99))).toEqual({ text: 'live 99' })
  })

  it('finishes an erase a crash interrupted: the previous epoch core is cleared at the next open', async () => {
    const dir = await f.dir()
    const first = await openEpochs(dir)
    const tag = first.epochs.store.tag(randomBytes(32))
    await first.epochs.store.write((tx) => tx.putJson(keys.message(tag, 0), { text: 'LIVE' }))
    await waitFor('first epoch', () => first.epochs.epoch === 1)
    await first.epochs.idle()
    await first.epochs.advance()
    expect(first.epochs.epoch).toBe(2)
    // Put blocks back into epoch 1's core as if the erase had not run, and mark it pending.
    const stale = first.corestore.get({ name: 'local/1' })
    await stale.ready()
    await stale.append(Buffer.from('STALE-EPOCH-BLOCK'))
    await stale.close()
    const rec = (await readEpochFile(join(dir, 'store-epoch'), fileKey))!
    await writeFile(join(dir, 'store-epoch'), encodeEpochRecord({ ...rec, erasePending: true }, fileKey))
    for (const o of open.splice(0).reverse()) await o.close()
    expect((await rawFiles(dir)).includes(Buffer.from('STALE-EPOCH-BLOCK'))).toBe(true)

    const second = await openEpochs(dir)
    expect(await second.epochs.store.getJson(keys.message(tag, 0))).toEqual({ text: 'LIVE' })
    for (const o of open.splice(0).reverse()) await o.close()
    expect((await rawFiles(dir)).includes(Buffer.from('STALE-EPOCH-BLOCK'))).toBe(false)
    expect((await readEpochFile(join(dir, 'store-epoch'), fileKey))!.erasePending).toBe(false)
  })

  it('reads the frozen epoch file, and refuses a damaged one or one under another key as corrupt-profile', async () => {
    const bytes = await readFile(join(__dirname, '../fixtures/store-epoch-v1.bin'))
    const key = Buffer.alloc(32, 0x42)
    expect(decodeEpochRecord(bytes, key)).toEqual({ epoch: 7, key: Buffer.alloc(32, 0x24), startedAt: 1764547200000, erasePending: true, startBlocks: 0, startBytes: 0 })
    const v2 = await readFile(join(__dirname, '../fixtures/store-epoch-v2.bin'))
    const rec = { epoch: 9, key: Buffer.alloc(32, 0x24), startedAt: 1764547200000, erasePending: false, startBlocks: 3172, startBytes: 1234567 }
    expect(decodeEpochRecord(v2, key)).toEqual(rec)
    expect(decodeEpochRecord(encodeEpochRecord(rec, key), key)).toEqual(rec)
    expect(() => decodeEpochRecord(Buffer.concat([v2, Buffer.alloc(1)]), key)).toThrow(/bytes/)
    const flipped = Buffer.from(bytes)
    flipped[40] ^= 1
    expect(() => decodeEpochRecord(flipped, key)).toThrow(expect.objectContaining({ code: 'corrupt-profile' }))
    expect(() => decodeEpochRecord(bytes, randomBytes(32))).toThrow(expect.objectContaining({ code: 'corrupt-profile' }))
    expect(() => decodeEpochRecord(bytes.subarray(0, 20), key)).toThrow(/bytes/)
    await expect(readEpochFile(join(await f.dir(), 'absent'), key)).resolves.toBeNull()
  })
})

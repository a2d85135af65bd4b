// Forward secrecy at rest: a copy of the profile folder taken after the erasure bound, read with the
// passphrase, yields no earlier ratchet state, no replaced prekey secret and no deleted message,
// while a copy taken before does (so the test can tell the two apart).
import { chmod, readdir, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { blake2b } from '../../core/crypto'
import { decodeContactId, openKeystore } from '../../core/identity'
import { epochFileKey, storeCipher } from '../../core/messenger/store-keys'
import { readEpochFile } from '../../core/store/epoch-file'
import { decodeSignedPrekey } from '../../core/ratchet'
import { decodeState } from '../../core/ratchet/state'
import { DEFAULT_EPOCH_POLICY } from '../../core/store/epochs'
import { keys } from '../../core/store'
import { PASS } from '../helpers/core'
import { exchange, Messengers, type MessengerNode } from '../helpers/messengers'
import { copyAndDump, holds, type ProfileDump } from './profile-dump'

const DAY = 24 * 60 * 60 * 1000

const f = new Messengers('erasure', { movedClock: true })

afterEach(() => f.cleanup())

/** Root keys of the ratchet sessions stored for one contact. */
async function rootKeysFor(dump: ProfileDump, profileDir: string, contact: MessengerNode): Promise<Buffer[]> {
  const { storageKey } = await openKeystore(join(profileDir, 'keystore'), PASS)
  const prefix = keys.session(storeCipher(storageKey).tag(decodeContactId(contact.m.id)), Buffer.alloc(0))
  return dump.values.filter(({ key }) => key.subarray(0, prefix.length).equals(prefix)).map(({ value }) => decodeState(value).rootKey)
}

describe('forward secrecy at rest', () => {
  it('after the bound, a copy read with the passphrase holds no old ratchet state, replaced prekey or deleted text', async () => {
    const a = await f.create('Alice')
    const b = await f.create('Bob')
    const c = await f.create('Carol')
    for (const other of [b, c]) {
      await a.m.addContact(other.m.id, other === b ? 'Bob' : 'Carol')
      await other.m.addContact(a.m.id, 'Alice')
    }
    await exchange(a, b, 'a to b one')
    await exchange(b, a, 'b to a one')
    await exchange(c, a, 'CAROL-SECRET-TEXT')
    await exchange(a, c, 'ALICE-TO-CAROL-SECRET')

    await f.close(a)
    const before = await copyAndDump(a.dir, await f.tempDir(), PASS)
    const oldRoots = await rootKeysFor(before, a.dir, b)
    const firstPrekey = decodeSignedPrekey(before.values.find(({ key }) => key.equals(keys.prekey(1)))!.value).secretKey
    expect(oldRoots.length).toBeGreaterThan(0)
    for (const secret of ['CAROL-SECRET-TEXT', 'ALICE-TO-CAROL-SECRET']) expect(holds(before, Buffer.from(secret))).toBe(true)
    const oldSealed = before.sealed.filter((v) => before.raw.includes(v))
    expect(oldSealed.length).toBeGreaterThan(0)

    // Past the bound: the ratchet moves on (a DH step each way), a day passes, Carol is removed with
    // her history, and prekey 1 is replaced and then past its grace.
    let a2 = await f.reopen(a)
    await exchange(a2, b, 'a to b two')
    await exchange(b, a2, 'b to a two')
    await f.close(a2)
    f.now += DEFAULT_EPOCH_POLICY.maxAgeMs + 60_000
    a2 = await f.reopen(a)
    await a2.m.removeContact(c.m.id)
    f.now += 8 * DAY
    await a2.m.rotatePrekeys()
    f.now += 31 * DAY
    await a2.m.rotatePrekeys()
    await f.close(a2)

    const after = await copyAndDump(a.dir, await f.tempDir(), PASS)
    expect(after.epoch).toBeGreaterThan(before.epoch)
    for (const root of oldRoots) expect(holds(after, root), 'an earlier ratchet root key').toBe(false)
    expect((await rootKeysFor(after, a.dir, b)).length).toBeGreaterThan(0)
    expect(holds(after, firstPrekey), 'the replaced prekey secret').toBe(false)
    for (const secret of ['CAROL-SECRET-TEXT', 'ALICE-TO-CAROL-SECRET']) expect(holds(after, Buffer.from(secret)), secret).toBe(false)
    expect(oldSealed.filter((v) => after.raw.includes(v)), 'sealed values of the earlier epoch on disk').toEqual([])
    expect(holds(after, Buffer.from('b to a two'))).toBe(true)

    const a3 = await f.reopen(a)
    expect((await a3.m.history(b.m.id)).messages.map((m) => m.text)).toEqual(['b to a two', 'a to b two', 'b to a one', 'a to b one'])
  }, 120_000)
})

describe('nothing secret on disk unsealed, and a private folder', () => {
  it('no key derived from the storage key (old corestore primary key included) and no epoch key is in the raw files', async () => {
    const a = await f.create('Alice')
    const b = await f.create('Bob')
    await a.m.addContact(b.m.id, 'Bob')
    await b.m.addContact(a.m.id, 'Alice')
    await exchange(b, a, 'hello')
    await f.close(a)
    const { storageKey } = await openKeystore(join(a.dir, 'keystore'), PASS)
    const derived = (purpose: string) => blake2b(32, Buffer.from(`cairn/${purpose}/v1`), storageKey)
    const rec = await readEpochFile(join(a.dir, 'store-epoch'), epochFileKey(storageKey))
    const secrets = [storageKey, derived('corestore-primary'), derived('store-seal'), derived('store-tag'), epochFileKey(storageKey)]
    if (rec) secrets.push(rec.key, blake2b(32, Buffer.from('cairn/store-seal/v1'), rec.key))
    const dump = await copyAndDump(a.dir, await f.tempDir(), PASS)
    secrets.forEach((secret, i) => expect(dump.raw.includes(secret), `secret ${i}`).toBe(false))
  }, 60_000)

  it('every open makes the folder 0700 and its files 0600, whatever they were', async () => {
    const a = await f.create('Alice')
    await f.close(a)
    await chmod(a.dir, 0o755)
    await writeFile(join(a.dir, 'notes'), 'x', { mode: 0o644 })
    await chmod(join(a.dir, 'keystore'), 0o644)
    await chmod(join(a.dir, 'cores'), 0o755)
    await f.reopen(a)
    const loose: string[] = []
    const walk = async (dir: string): Promise<void> => {
      if (((await stat(dir)).mode & 0o077) !== 0) loose.push(dir)
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name)
        if (entry.isDirectory()) await walk(path)
        else if (entry.isFile() && ((await stat(path)).mode & 0o777) !== 0o600) loose.push(path)
      }
    }
    await walk(a.dir)
    expect(loose).toEqual([])
  })
})

describe('deleting a message and clearing a conversation', () => {
  it('take the text out of history at once and off the disk before the call returns; the contact stays', async () => {
    const a = await f.create('Alice')
    const b = await f.create('Bob')
    await a.m.addContact(b.m.id, 'Bob')
    await b.m.addContact(a.m.id, 'Alice')
    await exchange(b, a, 'DELETE-THIS-ONE')
    await exchange(b, a, 'KEEP-THIS-ONE')
    await exchange(a, b, 'MINE-TO-CLEAR')
    const doomed = (await a.m.history(b.m.id)).messages.find((m) => m.text === 'DELETE-THIS-ONE')!
    await expect(a.m.erasure.deleteMessage(b.m.id, 'ffffffffffff-1')).rejects.toMatchObject({ code: 'not-found' })

    await a.m.erasure.deleteMessage(b.m.id, doomed.id)
    expect((await a.m.history(b.m.id)).messages.map((m) => m.text)).toEqual(['MINE-TO-CLEAR', 'KEEP-THIS-ONE'])
    expect(a.events).toContainEqual({ type: 'messages-deleted', contact: b.m.id, ids: [doomed.id] })
    await f.close(a)
    const afterDelete = await copyAndDump(a.dir, await f.tempDir(), PASS)
    expect(holds(afterDelete, Buffer.from('DELETE-THIS-ONE'))).toBe(false)
    expect(holds(afterDelete, Buffer.from('KEEP-THIS-ONE'))).toBe(true)

    const a2 = await f.reopen(a)
    await a2.m.erasure.clearConversation(b.m.id)
    expect((await a2.m.history(b.m.id)).messages).toEqual([])
    expect(a2.m.contacts()).toMatchObject([{ id: b.m.id, lastMessage: null, unread: 0 }])
    await f.close(a2)
    const afterClear = await copyAndDump(a.dir, await f.tempDir(), PASS)
    for (const text of ['KEEP-THIS-ONE', 'MINE-TO-CLEAR']) expect(holds(afterClear, Buffer.from(text)), text).toBe(false)

    const a3 = await f.reopen(a)
    await exchange(b, a3, 'after clearing')
    expect((await a3.m.history(b.m.id)).messages.map((m) => m.text)).toEqual(['after clearing'])
  }, 60_000)
})

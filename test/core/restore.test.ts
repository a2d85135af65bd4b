import { readdir } from 'node:fs/promises'
import { afterEach, describe, expect, it } from 'vitest'
import type { ErrorCode } from '../../core/api/types'
import { Fixture, pair, PASS, waitFor } from '../helpers/core'

const f = new Fixture()
afterEach(() => f.cleanup())

const BACKUP_PASS = 'backup pass phrase'

/** The CairnError of a call, whether it throws at once (argument checks) or rejects. */
async function codeOf(call: Promise<unknown> | (() => Promise<unknown>)): Promise<{ code: ErrorCode; message: string }> {
  const err = await Promise.resolve()
    .then(() => (typeof call === 'function' ? call() : call))
    .then(
    () => null,
    (e: unknown) => e as { code: ErrorCode; message: string }
  )
  if (!err) throw new Error('expected a rejection')
  return err
}

/** The blocks a "belongs to no session I know" event is about. */
function blocksNamed(detail: string): number[] {
  const one = /^block (\d+) of the contact's log belongs to no session/.exec(detail)
  if (one) return [Number(one[1])]
  const range = /^\d+ blocks of the contact's log \((\d+) to (\d+)\) belong to no session/.exec(detail)
  if (!range) throw new Error(`unexpected event: ${detail}`)
  const [from, to] = [Number(range[1]), Number(range[2])]
  return Array.from({ length: to - from + 1 }, (_, i) => from + i)
}

describe('restoring an identity from a backup', () => {
  it('refuses a wrong passphrase and a damaged text without writing anything, then restores the same ID', async () => {
    const a = await f.host()
    const me = await a.host.create('Alice', PASS)
    const backup = await a.host.exportIdentity(PASS, BACKUP_PASS)
    // the profile unlocked is not enough: revealing or replacing a secret proves the passphrase
    for (const wrong of ['not the passphrase', PASS.toUpperCase()]) {
      const refused = await codeOf(a.host.exportIdentity(wrong, BACKUP_PASS))
      expect(refused).toEqual(expect.objectContaining({ code: 'wrong-passphrase' }))
      expect(refused.message).not.toContain('cairn-backup')
      expect(await codeOf(a.host.changePassphrase(wrong, 'another good passphrase'))).toMatchObject({ code: 'wrong-passphrase' })
    }
    await a.host.lock()
    expect(await a.host.unlock(PASS)).toEqual(me)

    const fresh = await f.host()
    expect(await codeOf(fresh.host.restore(backup, 'not the backup pass', 'Alice', PASS))).toMatchObject({ code: 'wrong-passphrase' })
    const cut = await codeOf(fresh.host.restore(backup.slice(0, -12), BACKUP_PASS, 'Alice', PASS))
    expect(cut.code).toBe('invalid-argument')
    expect(cut.message).toMatch(/damaged|truncated|base64/)
    const flipped = backup.slice(0, 40) + (backup[40] === 'A' ? 'B' : 'A') + backup.slice(41)
    expect((await codeOf(fresh.host.restore(flipped, BACKUP_PASS, 'Alice', PASS))).message).toMatch(/damaged|checksum/)
    expect((await codeOf(fresh.host.restore('hello', BACKUP_PASS, 'Alice', PASS))).message).toMatch(/not a Cairn backup/)
    expect((await codeOf(() => fresh.host.restore(backup, BACKUP_PASS, ' ', PASS))).code).toBe('invalid-argument')
    expect(await readdir(fresh.dir)).toEqual([])
    expect(await fresh.host.state()).toEqual({ profile: 'none', me: null })

    const restored = await fresh.host.restore(`\n${backup}\n`, BACKUP_PASS, 'Alice again', 'a new passphrase')
    expect(restored).toEqual({ id: me.id, name: 'Alice again' })
    expect(await codeOf(fresh.host.restore(backup, BACKUP_PASS, 'Alice', PASS))).toMatchObject({ code: 'profile-exists' })
    expect(await codeOf(a.host.restore(backup, BACKUP_PASS, 'Alice', PASS))).toMatchObject({ code: 'profile-exists' })

    await fresh.host.lock()
    expect(await codeOf(fresh.host.unlock(PASS))).toMatchObject({ code: 'wrong-passphrase' })
    expect(await fresh.host.unlock('a new passphrase')).toEqual({ id: me.id, name: 'Alice again' })
  })

  it('a contact who knew the old device reaches the restored one and they chat', async () => {
    const { a, b, aId, bId } = await pair(f)
    await a.host.send(bId, 'before the loss')
    await waitFor('B receives the first message', () => b.of('message').some((e) => e.message.text === 'before the loss'))
    for (let i = 0; i < 5; i++) await b.host.send(aId, `old reply ${i}`)
    await waitFor('A receives the replies', () => a.of('message').filter((e) => e.message.direction === 'in').length === 5)
    const backup = await a.host.exportIdentity(PASS, BACKUP_PASS)
    await a.close()

    const a2 = await f.host()
    expect((await a2.host.restore(backup, BACKUP_PASS, 'Alice', PASS)).id).toBe(aId)
    expect(await a2.host.contacts()).toEqual([])
    await a2.host.addContact(bId, 'Bob')
    await waitFor('both online', async () => {
      const [onA] = await a2.host.contacts()
      const [onB] = await b.host.contacts()
      return onA?.presence !== 'offline' && onB?.presence !== 'offline'
    })

    await a2.host.send(bId, 'back again')
    await waitFor('B receives from the restored device', () => b.of('message').some((e) => e.message.text === 'back again'))
    await b.host.send(aId, 'welcome back')
    await waitFor('the restored device receives', () => a2.of('message').some((e) => e.message.text === 'welcome back'))
    expect(b.of('security').map((e) => e.event.kind)).toEqual(['log-renewed'])
    expect((await b.host.history(aId)).messages.map((m) => m.text)).toEqual([
      'welcome back',
      'back again',
      ...['old reply 4', 'old reply 3', 'old reply 2', 'old reply 1', 'old reply 0'],
      'before the loss'
    ])
    expect(a2.of('message').map((e) => e.message.text)).toEqual(['back again', 'welcome back'])
    // The sessions of the old device are gone with it: its part of B's log is reported once, not read.
    // (one event per step the log reader takes, so one or two for five blocks written before)
    const reported = a2.of('security').map((e) => e.event)
    expect(reported.every((e) => e.kind === 'decrypt-failed')).toBe(true)
    expect(reported.length).toBeLessThan(5)
    expect(reported.flatMap((e) => blocksNamed(e.detail))).toEqual([0, 1, 2, 3, 4])
    await waitFor('A sees delivered', () => a2.of('message-state').some((e) => e.state === 'delivered'))
  })
})

// Disappearing messages between two real nodes with a moved clock: the setting is agreed by both
// sides (a line in both histories, the same value in both contact views, even when both change it
// at once), messages written while it is on are erased on both sides once they expire, while
// running and at the next open after expiring while closed, and their text leaves the disk.
import { afterEach, describe, expect, it } from 'vitest'
import { PASS, waitFor } from '../helpers/core'
import { Messengers, received, type MessengerNode } from '../helpers/messengers'
import { copyAndDump, holds } from './profile-dump'

const DAY = 86_400_000
const f = new Messengers('disappear', { movedClock: true, expiryCheckMs: 50 })

afterEach(() => f.cleanup())

/** Reopened with a sweep interval no test waits for: what is gone then went at open. */
const reopen = (node: MessengerNode) => f.reopen(node, { expiryCheckMs: 3_600_000 })

const texts = async (node: MessengerNode, other: MessengerNode) => (await node.m.history(other.m.id)).messages.map((m) => (m.timer !== undefined ? `[timer ${m.timer} ${m.direction}]` : m.text))
const setting = (node: MessengerNode) => node.m.contacts()[0].disappearing

async function pairUp(): Promise<[MessengerNode, MessengerNode]> {
  const a = await f.create('Alice')
  const b = await f.create('Bob')
  await a.m.addContact(b.m.id, 'Bob')
  await b.m.addContact(a.m.id, 'Alice')
  await b.m.send(a.m.id, 'hello')
  await waitFor('a session', () => received(a, 'hello'))
  return [a, b]
}

describe('disappearing messages', () => {
  it('are agreed by both sides and erased on both once they expire, running or closed', async () => {
    const [a, b] = await pairUp()
    await expect(a.m.erasure.setDisappearing(b.m.id, 12_345)).rejects.toMatchObject({ code: 'invalid-argument' })
    expect(await a.m.erasure.setDisappearing(b.m.id, 86_400)).toMatchObject({ disappearing: 86_400 })
    await waitFor('B shows the line', () => b.events.some((e) => e.type === 'message' && e.message.timer === 86_400))
    expect(setting(b)).toBe(86_400)
    const line = b.events.find((e) => e.type === 'message' && e.message.timer !== undefined)
    expect(line).toMatchObject({ message: { direction: 'in', timer: 86_400, text: '' } })
    expect(b.m.contacts()[0].lastMessage?.text).toBe('Disappearing messages: 1 day')

    const sent = await a.m.send(b.m.id, 'VANISH-A-RUNNING')
    expect(sent.expiresAt).toBe(f.now + DAY)
    await b.m.send(a.m.id, 'VANISH-B-RUNNING')
    await waitFor('both arrive', () => received(a, 'VANISH-B-RUNNING') && received(b, 'VANISH-A-RUNNING'))
    const upload = await b.m.files.beginUpload(16)
    await b.m.files.uploadPiece(upload, Buffer.from('FILE-VANISH-0123').toString('base64'))
    const fileAtB = await b.m.files.sendUpload(a.m.id, upload, 'gone.txt')
    await waitFor('A is offered the file', () => a.events.some((e) => e.type === 'message' && e.message.file?.name === 'gone.txt'))
    const fileAtA = (await a.m.history(b.m.id)).messages[0]
    await a.m.files.downloadFile(b.m.id, fileAtA.id)
    expect(Buffer.from(await a.m.files.readFile(b.m.id, fileAtA.id, 0, 16), 'base64').toString()).toBe('FILE-VANISH-0123')
    expect(await texts(a, b)).toEqual(['', 'VANISH-B-RUNNING', 'VANISH-A-RUNNING', '[timer 86400 out]', 'hello'])
    expect(a.m.contacts()[0].unread).toBe(3)

    f.now += DAY - 60_000
    await a.m.erasure.sweep()
    expect(await texts(a, b)).toHaveLength(5)
    f.now += 61_000
    const erased = (n: MessengerNode) => n.events.some((e) => e.type === 'messages-deleted' && e.ids !== 'all' && e.ids.length > 0)
    await waitFor('both sides erase them', () => erased(a) && erased(b))
    expect(await texts(a, b)).toEqual(['[timer 86400 out]', 'hello'])
    expect(await texts(b, a)).toEqual(['[timer 86400 in]', 'hello'])
    expect(a.m.contacts()[0]).toMatchObject({ unread: 1, lastMessage: { direction: 'out', text: 'Disappearing messages: 1 day' } })
    await expect(a.m.files.readFile(b.m.id, fileAtA.id, 0, 1)).rejects.toMatchObject({ code: 'not-found' })
    await expect(b.m.files.readFile(a.m.id, fileAtB.id, 0, 1)).rejects.toMatchObject({ code: 'not-found' })

    // expired while both were closed: gone at the next open, before anything reads the history
    await a.m.send(b.m.id, 'VANISH-WHILE-CLOSED')
    await waitFor('B has it', () => received(b, 'VANISH-WHILE-CLOSED'))
    await f.close(a)
    await f.close(b)
    f.now += 2 * DAY
    const a2 = await reopen(a)
    const b2 = await reopen(b)
    expect(await texts(a2, b2)).toEqual(['[timer 86400 out]', 'hello'])
    expect(await texts(b2, a2)).toEqual(['[timer 86400 in]', 'hello'])
    await f.close(a2)
    await f.close(b2)
    for (const n of [a, b]) {
      const dump = await copyAndDump(n.dir, await f.tempDir(), PASS)
      for (const t of ['VANISH-A-RUNNING', 'VANISH-B-RUNNING', 'VANISH-WHILE-CLOSED', 'gone.txt']) expect(holds(dump, Buffer.from(t)), t).toBe(false)
      expect(holds(dump, Buffer.from('hello'))).toBe(true)
    }
  }, 120_000)

  it('converge when both change them at once, and turn off from either side', async () => {
    const [a, b] = await pairUp()
    await Promise.all([a.m.erasure.setDisappearing(b.m.id, 300), b.m.erasure.setDisappearing(a.m.id, 3600)])
    await waitFor('both lines arrive', () =>
      [a, b].every((n) => n.events.filter((e) => e.type === 'message' && e.message.timer !== undefined).length >= 1)
    )
    await b.m.send(a.m.id, 'sync')
    await a.m.send(b.m.id, 'sync back')
    await waitFor('both synced', () => received(a, 'sync') && received(b, 'sync back'))
    expect([setting(a), setting(b)]).toEqual([3600, 3600])

    await b.m.erasure.setDisappearing(a.m.id, 0)
    await waitFor('A has the line', async () => (await texts(a, b)).includes('[timer 0 in]'))
    expect(setting(a)).toBeUndefined()
    const kept = await a.m.send(b.m.id, 'this one stays')
    expect(kept.expiresAt).toBeUndefined()
    f.now += 30 * DAY
    await b.m.send(a.m.id, 'later')
    await waitFor('later', () => received(a, 'later'))
    expect(await texts(a, b)).toContain('this one stays')
  }, 60_000)

  it('a contact removed and added again keeps the setting, and a stale expiry never erases the message that took its number', async () => {
    const [a, b] = await pairUp()
    await a.m.erasure.setDisappearing(b.m.id, 86_400)
    await waitFor('B takes the setting', () => setting(b) === 86_400)
    await b.m.send(a.m.id, 'old and disappearing')
    await waitFor('A has it', () => received(a, 'old and disappearing'))
    // history numbers 0..2: hello, the timer line, this message
    expect(await texts(a, b)).toEqual(['old and disappearing', '[timer 86400 out]', 'hello'])
    await a.m.removeContact(b.m.id)
    await a.m.addContact(b.m.id, 'Bob again')
    await waitFor('reconnected', () => a.m.contacts()[0]?.presence !== 'offline')
    // the setting outlives the removal, as it does on Bob's side
    expect(setting(a)).toBe(86_400)
    await a.m.erasure.setDisappearing(b.m.id, 0)
    await waitFor('B turns them off', () => setting(b) === undefined)
    for (const text of ['new zero', 'new one', 'new two']) {
      await b.m.send(a.m.id, text)
      await waitFor(text, () => received(a, text))
    }
    // A's numbers started again at 0: 'new one' has the number 'old and disappearing' had
    // B's sweep is already running when the clock moves (as the periodic one may be): the sweep
    // asked for after the move still erases what is due by then
    const running = b.m.erasure.sweep()
    f.now += 2 * DAY
    await b.m.erasure.sweep()
    expect(await texts(b, a)).toEqual(['new two', 'new one', 'new zero', '[timer 0 in]', '[timer 86400 in]', 'hello'])
    await running
    await a.m.erasure.sweep()
    expect(await texts(a, b)).toEqual(['new two', 'new one', 'new zero', '[timer 0 out]'])
  }, 60_000)
})

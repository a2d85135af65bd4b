// Delete for everyone between two real nodes: only the writer deletes, a "deleted" place stays on
// both sides, the text and the file leave both stores and both disks, and the conversation goes on.
import { afterEach, describe, expect, it } from 'vitest'
import { Fixture, pair, PASS, waitFor, type Node } from '../helpers/core'
import { copyAndDump, holds } from './profile-dump'

const f = new Fixture()
afterEach(() => f.cleanup())

const latest = (n: Node, id: string) => n.of('message').filter((e) => e.message.id === id).at(-1)?.message
const arrived = (n: Node, text: string) => n.of('message').find((e) => e.message.text === text)?.message

async function upload(n: Node, to: string, name: string, content: string) {
  const up = await n.host.beginUpload(Buffer.byteLength(content))
  await n.host.uploadPiece(up, Buffer.from(content).toString('base64'))
  return n.host.sendUpload(to, up, name)
}

describe('delete for everyone', () => {
  it('leaves a deleted place on both sides, erases text and file from both disks, and refuses others', async () => {
    const { a, b, aId, bId } = await pair(f)
    const doomed = await a.host.send(bId, 'SECRET-TO-UNSAY-1234')
    await a.host.send(bId, 'this one stays')
    await waitFor('B has both', () => arrived(b, 'this one stays') !== undefined)
    const atB = arrived(b, 'SECRET-TO-UNSAY-1234')!
    await b.host.react(aId, atB.id, '👍')
    await a.host.edit(bId, doomed.id, 'SECRET-EDITED-5678')
    await waitFor('B sees the edit', () => latest(b, atB.id)?.text === 'SECRET-EDITED-5678')

    await expect(b.host.deleteForEveryone(aId, atB.id)).rejects.toMatchObject({ code: 'invalid-argument' })
    await expect(a.host.deleteForEveryone(bId, 'nonsense-1')).rejects.toMatchObject({ code: 'not-found' })

    await a.host.deleteForEveryone(bId, doomed.id)
    const mine = (await a.host.history(bId)).messages.find((m) => m.id === doomed.id)!
    expect(mine).toMatchObject({ id: doomed.id, direction: 'out', text: '', deleted: true })
    expect(mine.edits).toBeUndefined()
    expect(mine.reactions).toBeUndefined()
    await waitFor('B sees it deleted', () => latest(b, atB.id)?.deleted === true)
    expect(latest(b, atB.id)).toMatchObject({ text: '', deleted: true })
    expect((await b.host.history(aId)).messages.map((m) => m.text)).toEqual(['this one stays', ''])
    // a deleted place is no message to answer or change, and cannot be deleted twice for everyone
    await expect(b.host.react(aId, atB.id, '😂')).rejects.toMatchObject({ code: 'invalid-argument' })
    await expect(b.host.send(aId, 'quoting it', atB.id)).rejects.toMatchObject({ code: 'invalid-argument' })
    await expect(a.host.deleteForEveryone(bId, doomed.id)).rejects.toMatchObject({ code: 'invalid-argument' })

    // the newest message deleted: both contact lists say so
    const file = await upload(a, bId, 'notes.txt', 'FILE-CONTENT-TO-ERASE')
    await waitFor('B is offered the file', () => b.of('message').some((e) => e.message.file?.name === 'notes.txt'))
    const fileAtB = b.of('message').find((e) => e.message.file?.name === 'notes.txt')!.message
    await b.host.downloadFile(aId, fileAtB.id)
    expect(Buffer.from(await b.host.readFile(aId, fileAtB.id, 0, 21), 'base64').toString()).toBe('FILE-CONTENT-TO-ERASE')
    await a.host.deleteForEveryone(bId, file.id)
    await waitFor('B sees the file deleted', () => latest(b, fileAtB.id)?.deleted === true)
    expect(latest(b, fileAtB.id)!.file).toBeUndefined()
    await expect(b.host.readFile(aId, fileAtB.id, 0, 1)).rejects.toBeTruthy()
    await expect(a.host.readFile(bId, file.id, 0, 1)).rejects.toBeTruthy()
    await waitFor('B lists it as deleted', async () => (await b.host.contacts())[0].lastMessage?.text === 'Message deleted')
    expect((await a.host.contacts())[0].lastMessage?.text).toBe('Message deleted')
    expect(b.of('security')).toEqual([])

    await b.host.send(aId, 'still talking')
    await waitFor('A still receives', () => arrived(a, 'still talking') !== undefined)
    await a.close()
    await b.close()
    for (const n of [a, b]) {
      const dump = await copyAndDump(n.dir, await f.dir(), PASS)
      for (const text of ['SECRET-TO-UNSAY-1234', 'SECRET-EDITED-5678', 'FILE-CONTENT-TO-ERASE']) expect(holds(dump, Buffer.from(text)), text).toBe(false)
      expect(holds(dump, Buffer.from('this one stays'))).toBe(true)
    }
  }, 90_000)

  it('a delete of a message from before the contact was removed and added again never hits the message that took its number', async () => {
    const { a, b, aId, bId } = await pair(f)
    const old = await b.host.send(aId, 'from before the removal')
    await waitFor('A has it', () => arrived(a, 'from before the removal') !== undefined)
    await a.host.removeContact(PASS, bId)
    await a.host.addContact(bId, 'Bob again')
    await waitFor('reconnected', async () => (await a.host.contacts())[0].presence !== 'offline')
    // A's history starts again at number 0: its first new message takes the old one's number
    const fresh = await a.host.send(bId, 'written after adding Bob again')
    expect(fresh.id).toBe(arrived(a, 'from before the removal')!.id)
    await waitFor('B has it', () => arrived(b, 'written after adding Bob again') !== undefined)
    await b.host.deleteForEveryone(aId, old.id)
    await b.host.send(aId, 'and then this')
    await waitFor('A has the next one', () => arrived(a, 'and then this') !== undefined)
    expect((await a.host.history(bId)).messages.map((m) => [m.text, m.deleted ?? false])).toEqual([
      ['and then this', false],
      ['written after adding Bob again', false]
    ])
  }, 60_000)
})


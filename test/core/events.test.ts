// Message events are durable and numbered: a message committed while the node starts (blocks that
// reached the disk before a crash) is reported to whoever listens on the host; every message event
// carries its number in the profile's one sequence, and replayMessages(N) gives those after N — across
// restarts, store epochs and deletions.
import { createSocket } from 'node:dgram'
import { readFile } from 'node:fs/promises'
import { CairnHost } from '../../core/host/host'
import Corestore from 'corestore'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { CairnEvent, SequencedMessage } from '../../core/api/types'
import { profileLayout } from '../../core/profile/layout'
import { Fixture, Node, pair, PASS, waitFor } from '../helpers/core'

const f = new Fixture()
afterEach(() => f.cleanup())

/**
 * With both profiles closed, copies into B's folder every block of A's logs that B's copy lacks,
 * as a replication cut short by a crash leaves them: on disk, not yet read by B's messenger.
 */
async function copyLogsWhileClosed(aDir: string, bDir: string): Promise<number> {
  const storeA = new Corestore(profileLayout(aDir).cores)
  const storeB = new Corestore(profileLayout(bDir).cores)
  const left = storeA.replicate(true)
  const right = storeB.replicate(false)
  left.pipe(right).pipe(left)
  let copied = 0
  try {
    for await (const discoveryKey of storeB.list()) {
      const theirs = storeB.get({ discoveryKey })
      await theirs.ready()
      if (!theirs.writable) {
        const source = storeA.get({ discoveryKey })
        await source.ready()
        await theirs.update({ wait: true })
        if (theirs.length > 0) await theirs.download({ start: 0, end: theirs.length }).done()
        copied += theirs.contiguousLength
        await source.close()
      }
      await theirs.close()
    }
  } finally {
    left.destroy()
    right.destroy()
    await storeA.close()
    await storeB.close()
  }
  return copied
}

const texts = (events: CairnEvent[]) => events.flatMap((e) => (e.type === 'message' ? [e.message.text] : []))

describe('durable message events', () => {
  it('reports messages committed while the node starts, numbered, and replays them after any number', async () => {
    const { a, b, aId, bId } = await pair(f)
    await a.host.send(bId, 'before')
    await waitFor('B reads the first message', () => texts(b.events).includes('before'))
    await b.close()
    for (const text of ['late 1', 'late 2', 'late 3']) await a.host.send(bId, text)
    await waitFor('A appended them', () => a.of('message-state').filter((e) => e.state === 'sent').length >= 4)
    await a.close()
    expect(await copyLogsWhileClosed(a.dir, b.dir)).toBeGreaterThanOrEqual(4)

    // A bootstrap node that never answers: the start waits seconds for the DHT, so the blocks on
    // disk are surely committed inside unlock, before it returns.
    const hole = createSocket('udp4')
    await new Promise<void>((resolve) => hole.bind(0, '127.0.0.1', resolve))
    const host = new CairnHost({ profileDir: b.dir, bootstrap: [{ host: '127.0.0.1', port: hole.address().port }], lanDiscovery: false })
    const again = new Node(host, b.dir, () => undefined)
    try {
      await again.host.unlock(PASS)
      expect((await again.host.history(aId)).messages).toHaveLength(4)
      // committed inside unlock: reported all the same, each once
      expect(texts(again.events)).toEqual(['late 1', 'late 2', 'late 3'])
      const live = again.of('message').map((e) => e.seq)
      expect(live.every((s) => typeof s === 'number')).toBe(true)

      const all = await again.host.replayMessages(0)
      expect(all.more).toBe(false)
      expect(all.events.map((e) => e.message.text)).toEqual(['before', 'late 1', 'late 2', 'late 3'])
      const seqs = all.events.map((e) => e.seq)
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y))
      expect(new Set(seqs).size).toBe(4)
      expect(seqs.slice(1)).toEqual(live)
      expect((await again.host.replayMessages(seqs[1])).events.map((e) => e.message.text)).toEqual(['late 2', 'late 3'])
      const page = await again.host.replayMessages(0, 2)
      expect(page).toMatchObject({ more: true })
      expect(page.events.map((e) => e.seq)).toEqual(seqs.slice(0, 2))
    } finally {
      await host.close()
      hole.close()
    }
  }, 90_000)

  it('keeps numbering across restarts, deletions and store epochs; an edit moves a message to its new number', async () => {
    const { a, b, aId, bId } = await pair(f)
    for (const text of ['one', 'two', 'three']) await a.host.send(bId, text)
    await waitFor('B has three', () => texts(b.events).length === 3)
    const first = await b.host.replayMessages(0)
    const [one, two, three] = first.events

    const epochFile = profileLayout(b.dir).storeEpoch
    const epochBefore = await readFile(epochFile)
    await b.host.deleteMessage(aId, two.message.id)
    // the deletion ended the store epoch: the live records were copied under a new key
    expect((await readFile(epochFile)).equals(epochBefore)).toBe(false)
    expect((await b.host.replayMessages(0)).events.map((e) => e.seq)).toEqual([one.seq, three.seq])

    await b.close()
    const again = await f.host(b.dir)
    await again.host.unlock(PASS)
    const reply = await again.host.send(aId, 'four')
    const sent = again.of('message').find((e) => e.message.id === reply.id)
    expect(sent?.seq).toBeGreaterThan(three.seq)

    await a.host.edit(bId, (await a.host.history(bId)).messages.find((m) => m.text === 'one')!.id, 'one, edited')
    await waitFor('the edit arrives', () => again.of('message').some((e) => e.message.text === 'one, edited'))
    const edited = again.of('message').find((e) => e.message.text === 'one, edited')!
    expect(edited.seq).toBeGreaterThan(sent!.seq!)
    const after: SequencedMessage[] = (await again.host.replayMessages(three.seq)).events
    expect(after.map((e) => [e.message.text, e.seq])).toEqual([
      ['four', sent!.seq],
      ['one, edited', edited.seq]
    ])
    expect((await again.host.replayMessages(0)).events.map((e) => e.message.text)).toEqual(['three', 'four', 'one, edited'])
  }, 90_000)

  it('a send repeated with its client id stores nothing new, even two at once; an id is forgotten after 7 days', async () => {
    const { a, b, bId } = await pair(f)
    const first = await a.host.send(bId, 'once', undefined, 'job-1')
    const [again, concurrent1, concurrent2] = await Promise.all([
      a.host.send(bId, 'once', undefined, 'job-1'),
      a.host.send(bId, 'twice?', undefined, 'job-2'),
      a.host.send(bId, 'twice?', undefined, 'job-2')
    ])
    expect(again).toMatchObject({ id: first.id, text: 'once' })
    expect(concurrent2.id).toBe(concurrent1.id)
    const texts = async () => (await a.host.history(bId)).messages.map((m) => m.text).reverse()
    expect(await texts()).toEqual(['once', 'twice?'])
    expect(a.of('message').map((e) => e.message.text)).toEqual(['once', 'twice?'])
    await waitFor('B has both', () => b.of('message').length === 2)

    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 8 * 24 * 60 * 60 * 1000 })
    try {
      // a later send with an id forgets the expired ones
      await a.host.send(bId, 'later', undefined, 'job-3')
      const renewed = await a.host.send(bId, 'once more', undefined, 'job-1')
      expect(renewed.id).not.toBe(first.id)
      expect((await a.host.send(bId, 'once more', undefined, 'job-1')).id).toBe(renewed.id)
    } finally {
      vi.useRealTimers()
    }
    expect(await texts()).toEqual(['once', 'twice?', 'later', 'once more'])
  }, 90_000)

  it('gives the events of one catch-up step in number order: a reaction between two new messages comes between them', async () => {
    const { a, b, aId, bId } = await pair(f)
    const x = await a.host.send(bId, 'x')
    await waitFor('B has x', () => texts(b.events).includes('x'))
    await b.close()
    await a.host.send(bId, 'y')
    await a.host.react(bId, x.id, '👍')
    await a.host.send(bId, 'z')
    await waitFor('A appended them', () => a.of('message-state').filter((e) => e.state === 'sent').length >= 3)
    await a.close()
    await copyLogsWhileClosed(a.dir, b.dir)

    const again = await f.host(b.dir)
    await again.host.unlock(PASS)
    await waitFor('the three changes', () => again.of('message').length === 3)
    const events = again.of('message')
    expect(events.map((e) => e.message.text)).toEqual(['y', 'x', 'z'])
    expect(events[1].message.reactions).toEqual({ theirs: '👍' })
    const seqs = events.map((e) => e.seq!)
    expect(seqs).toEqual([...seqs].sort((p, q) => p - q))
    expect((await again.host.replayMessages(0)).events.map((e) => e.message.text)).toEqual(['y', 'x', 'z'])
    expect((await again.host.history(aId)).messages).toHaveLength(3)
  }, 90_000)
})

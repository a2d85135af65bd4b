// The contact list's unread count against history. A catch-up after a restart commits up to 128
// messages in one step; the count must never include messages history cannot show yet (their batch
// is not yet flushed: a crash at that instant would lose them), and deleting an unread message
// takes it out of the count.
import Corestore from 'corestore'
import Hyperbee from 'hyperbee'
import { afterEach, describe, expect, it } from 'vitest'
import { Fixture, pair, PASS, waitFor } from '../helpers/core'

const f = new Fixture()
afterEach(() => f.cleanup())

type Flush = (this: unknown, ...args: unknown[]) => Promise<unknown>

/** Runs probe before every Hyperbee batch flush in this process, until the returned function is called. */
async function beforeEveryFlush(probe: () => Promise<void>): Promise<() => void> {
  const corestore = new Corestore(await f.dir())
  const bee = new Hyperbee(corestore.get({ name: 'probe' }))
  const batch = bee.batch()
  const proto = Object.getPrototypeOf(batch) as { flush: Flush }
  await batch.close()
  await bee.close()
  await corestore.close()
  const flush = proto.flush
  proto.flush = async function (this: unknown, ...args: unknown[]) {
    await probe()
    return flush.apply(this, args)
  }
  return () => (proto.flush = flush)
}

// enough to take several steps of the log reader (up to 64 KiB each), so that commits follow one another
const COUNT = 900

describe('unread count', () => {
  it('never counts a message before history shows it, and loses a deleted unread message', async () => {
    const { a, b, aId, bId } = await pair(f)
    await b.close()
    for (let i = 0; i < COUNT; i++) await a.host.send(bId, `u${i}`)

    const again = await f.host(b.dir)
    const seen: string[] = []
    let probes = 0
    const restore = await beforeEveryFlush(async () => {
      if ((await again.host.state()).profile !== 'unlocked') return
      const [contact] = await again.host.contacts()
      if (!contact || contact.unread === 0) return
      // B wrote nothing: its history is the messages from A, of which it must hold at least `unread` (a page of 500 at most)
      const wanted = Math.min(500, contact.unread)
      const inHistory = (await again.host.history(aId, { limit: wanted })).messages.length
      probes++
      if (wanted > inHistory) seen.push(`unread ${contact.unread} with ${inHistory} in history`)
    })
    try {
      await again.host.unlock(PASS)
      await waitFor('the catch-up', async () => (await again.host.contacts())[0]?.unread === COUNT, 60_000)
    } finally {
      restore()
    }
    expect(probes).toBeGreaterThan(0)
    expect(seen).toEqual([])
    expect((await again.host.contacts())[0].unread).toBe(COUNT)

    const [newest] = (await again.host.history(aId, { limit: 1 })).messages
    await again.host.deleteMessage(aId, newest.id)
    expect((await again.host.contacts())[0].unread).toBe(COUNT - 1)
  }, 120_000)
})

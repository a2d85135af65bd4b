// A contact's node killed (SIGKILL: nothing unannounced, the survivor's connection left half-open)
// and started again on the same profile: the two chat again without waiting for the stale connection
// to time out. The time is printed; bench/reconnect.bench.ts measures it over 20 kills.
import { describe, expect, it } from 'vitest'
import type { Profile } from '../../core/api/types'
import { useChildNodes } from '../helpers/child-process'
import { Fixture, PASS, waitFor } from '../helpers/core'

const f = new Fixture()
const nodes = useChildNodes(f)

describe('a contact killed and restarted', () => {
  it('is chatting again soon after it is back, in both directions', async () => {
    const a = await f.host()
    const aId = (await a.host.create('Alice', PASS)).id
    const bDir = await f.dir()
    let b = await nodes.spawn(bDir)
    const bId = (await b.call<Profile>('create', 'Bob', PASS)).id
    await a.host.addContact(bId, 'Bob')
    await b.call('addContact', aId, 'Alice')
    await b.call('send', aId, 'before')
    await waitFor('first message', () => a.of('message').some((e) => e.message.text === 'before'))

    for (let round = 0; round < 2; round++) {
      await nodes.kill(b)
      b = await nodes.spawn(bDir)
      await b.call('unlock', PASS)
      const back = Date.now()
      const text = `after kill ${round}`
      await b.call('send', aId, text)
      await waitFor(`message after kill ${round}`, () => a.of('message').some((e) => e.message.text === text))
      const heard = Date.now() - back
      await a.host.send(bId, `reply ${round}`)
      await waitFor(`reply after kill ${round}`, () => b.events.some((e) => e.type === 'message' && e.message.text === `reply ${round}`))
      console.log(`kill ${round}: B's message reached A ${heard} ms after B was back; the reply took ${Date.now() - back - heard} ms more`)
    }
    expect(a.of('message').filter((e) => e.message.text.startsWith('after kill'))).toHaveLength(2)
  }, 90_000)
})

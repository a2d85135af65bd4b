import { beforeAll, describe, expect, it } from 'vitest'
import { cryptoReady } from '../../core/crypto'
import { Group, TOPIC_PERIOD_MS, currentTopics, groupTopic } from '../../core/groups'
import { Swarm, join, people } from './helpers'

beforeAll(cryptoReady)

const hexes = (ts: Buffer[]) => ts.map((t) => t.toString('hex'))

describe('group topic', () => {
  it('changes every period, with the previous one still looked up just after the change', () => {
    const secret = Buffer.alloc(32, 1)
    const start = 100 * TOPIC_PERIOD_MS
    expect(hexes(currentTopics(secret, start + 10))).toEqual(hexes([groupTopic(secret, 100), groupTopic(secret, 99)]))
    expect(hexes(currentTopics(secret, start + TOPIC_PERIOD_MS / 2))).toEqual(hexes([groupTopic(secret, 100)]))
    expect(groupTopic(secret, 100).equals(groupTopic(secret, 101))).toBe(false)
    expect(groupTopic(secret, 100).equals(groupTopic(Buffer.alloc(32, 2), 100))).toBe(false)
  })

  it('is the same for every member, and a removed member cannot compute the next one', () => {
    const now = () => 50 * TOPIC_PERIOD_MS + TOPIC_PERIOD_MS / 2
    const [alice, bob, carol] = people('alice', 'bob', 'carol')
    const swarm = new Swarm()
    const { group: a, entry } = Group.create('g', { me: alice.id, myLog: alice.log, sealer: alice.sealer, now })
    swarm.append(alice.log, entry)
    const first = hexes(a.topics())
    expect(first).toHaveLength(1)
    swarm.append(alice.log, a.addMember(bob.id.publicKey, bob.log))
    swarm.append(alice.log, a.addMember(carol.id.publicKey, carol.log))
    const b = join(bob, a.genesis, now)
    const c = join(carol, a.genesis, now)
    for (const g of [b, c]) swarm.sync(g)
    const before = hexes(a.topics())
    expect(before).toEqual(first)
    expect(hexes(b.topics())).toEqual(before)
    expect(hexes(c.topics())).toEqual(before)
    // The topic names nothing about the group: not its id, not a member's key.
    expect(before[0]).not.toBe(a.id.toString('hex'))

    swarm.append(alice.log, a.removeMember(carol.id.publicKey))
    for (const g of [b, c]) swarm.sync(g)
    const after = hexes(a.topics())
    expect(after).not.toEqual(before)
    expect(hexes(b.topics())).toEqual(after)
    expect(hexes(c.topics())).toEqual(before)
  })

  it('an admin rotating concurrently with a removal cannot bring back the secret the removed member knows', () => {
    // Both tie-break outcomes: the log keys are random, so repeat.
    for (let round = 0; round < 6; round++) {
      let now = 10 * TOPIC_PERIOD_MS
      const clock = () => now
      const [alice, bob, carol] = people('alice', 'bob', 'carol')
      const swarm = new Swarm()
      const { group: a, entry } = Group.create('g', { me: alice.id, myLog: alice.log, sealer: alice.sealer, now: clock })
      swarm.append(alice.log, entry)
      swarm.append(alice.log, a.addMember(bob.id.publicKey, bob.log))
      swarm.append(alice.log, a.addMember(carol.id.publicKey, carol.log))
      swarm.append(alice.log, a.promote(bob.id.publicKey))
      const b = join(bob, a.genesis, clock)
      const c = join(carol, a.genesis, clock)
      for (const g of [b, c]) swarm.sync(g)
      swarm.append(bob.log, b.send(Buffer.from('hi')))
      swarm.sync(a)
      expect(hexes(c.topics())).toEqual(hexes(a.topics()))

      swarm.append(alice.log, a.removeMember(carol.id.publicKey))
      // Bob has not seen the removal; he writes on (so his blocks order after Alice's), then his
      // weekly rotation seals the old secret, to Carol too.
      for (const t of ['x1', 'x2', 'x3']) swarm.append(bob.log, b.send(Buffer.from(t)))
      now += 7 * 24 * 3600 * 1000 + 1
      swarm.append(bob.log, b.send(Buffer.from('concurrent')))
      for (const g of [a, b, c]) swarm.sync(g)
      const fresh = hexes(a.topics())
      expect(hexes(b.topics())).toEqual(fresh)
      expect(hexes(c.topics())).not.toEqual(fresh)
      // Bob's next key after seeing the removal forwards the new secret: the topic stays.
      swarm.append(bob.log, b.send(Buffer.from('after')))
      swarm.sync(a)
      expect(hexes(a.topics())).toEqual(fresh)
      expect(hexes(b.topics())).toEqual(fresh)
    }
  })
})

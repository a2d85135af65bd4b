// A quiet group across the weekly topic turn: no block arrives, yet its swarm must move to the new
// period's topic (GroupSwarms checks the clock once a minute), or a member who starts after the
// turn's overlap hour looks up only the new topic and never finds the long-running members.
// The groups run on an injected clock; only setInterval is faked, to run the minute's check at once.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { cryptoReady } from '../../core/crypto'
import { Group } from '../../core/groups'
import { groupTopic, TOPIC_OVERLAP_MS, TOPIC_PERIOD_MS, topicPeriod } from '../../core/groups/topic'
import { GroupSwarms } from '../../core/messenger/group-swarms'
import { createObservedTestnet, type Seen } from '../helpers/observed-testnet'
import { join, people, replicaOnDisk, until, type Person } from './helpers'

beforeAll(cryptoReady)

const cleanups: (() => Promise<unknown>)[] = []
afterEach(async () => {
  vi.useRealTimers()
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {})
})

const problems: unknown[] = []

async function member(p: Person, make: (log: Buffer) => Group) {
  const { group, feed, keyPair, close } = await replicaOnDisk(p, make, ({ error }) => problems.push(error))
  const swarms = new GroupSwarms(group, feed, keyPair, () => {}, (err) => problems.push(err))
  cleanups.push(async () => {
    await swarms.close()
    await close()
  })
  return { group, feed, swarms }
}

describe('the weekly topic turn', () => {
  it('a quiet group moves to the new topic without a block, and one who starts after the turn finds it', async () => {
    const testnet = await createObservedTestnet()
    cleanups.push(() => testnet.destroy())
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    const period = topicPeriod(Date.now())
    // A minute before the turn: only this period's topic.
    let clock = (period + 1) * TOPIC_PERIOD_MS - 60_000
    const now = () => clock
    const [alice, bob] = people('alice', 'bob')
    let created: ReturnType<typeof Group.create> | null = null
    const a = await member(alice, (log) => (created = Group.create('quiet', { me: alice.id, myLog: log, sealer: alice.sealer, now })).group)
    await a.feed.append([created!.entry])
    const { genesis, groupSecret } = a.group.invitation()
    const [old, next] = [groupTopic(groupSecret, period), groupTopic(groupSecret, period + 1)]
    const on = (seen: Seen[], command: Seen['command'], topic: Buffer) => seen.some((s) => s.command === command && s.target.equals(topic))

    const b = await member(bob, () => join(bob, genesis, now, groupSecret))
    await a.feed.append(a.group.addMember(bob.id.publicKey, bob.log))
    a.swarms.add(testnet.createNode())
    await a.swarms.refresh()
    await until(() => on(testnet.seen, 'announce', old), "Alice announcing this period's topic")
    expect(on(testnet.seen, 'announce', next)).toBe(false)

    // Past the turn and its overlap hour, with no block: the minute's check moves Alice on.
    clock = (period + 1) * TOPIC_PERIOD_MS + TOPIC_OVERLAP_MS + 1_000
    const mark = testnet.seen.length
    vi.advanceTimersByTime(60_000)
    await until(() => on(testnet.seen.slice(mark), 'announce', next), "Alice announcing the new period's topic")
    await until(() => on(testnet.seen.slice(mark), 'unannounce', old), 'Alice leaving the old topic')
    const left = testnet.seen.findLastIndex((s) => s.command === 'unannounce' && s.target.equals(old))
    expect(on(testnet.seen.slice(left + 1), 'announce', old)).toBe(false)

    // Bob starts now: he looks up only the new topic, and finds Alice there.
    b.swarms.add(testnet.createNode())
    await b.swarms.refresh()
    await until(() => a.swarms.connections > 0 && b.swarms.connections > 0, 'Bob and Alice connected', 15_000)
    expect(problems).toEqual([])
  })
})

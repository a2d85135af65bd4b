import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { cryptoReady } from '../../core/crypto'
import { Group, GroupError } from '../../core/groups'
import { Swarm, join, people, type Person } from './helpers'

beforeAll(cryptoReady)

type Action =
  | { kind: 'send'; who: number }
  | { kind: 'add'; who: number; target: number }
  | { kind: 'remove'; who: number; target: number }
  | { kind: 'promote'; who: number; target: number }
  | { kind: 'leave'; who: number }
  | { kind: 'rename'; who: number }
  | { kind: 'pull'; who: number; log: number; count: number }

const PEOPLE = 6
const who = fc.integer({ min: 0, max: PEOPLE - 1 })
/** Membership changes come from the creator half the time, so many of them are accepted. */
const changer = fc.oneof(fc.constant(0), who)
const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('send' as const), who }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('add' as const), who: changer, target: who }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), who: changer, target: who }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('promote' as const), who: changer, target: who }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('leave' as const), who }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rename' as const), who: changer }) },
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant('pull' as const), who, log: fc.nat(PEOPLE - 1), count: fc.integer({ min: 1, max: 4 }) })
  }
)

/**
 * Six people, a group created by person 0 with 1 and 2 in it; then each acts on what it has seen so
 * far and pulls a few blocks of one log at a time, so every member sees a different interleaving and
 * partial history (a partition is a member that does not pull). At the end everyone pulls everything.
 */
function run(actions: Action[]) {
  const ps = people(...Array.from({ length: PEOPLE }, (_, i) => `p${i}`))
  const swarm = new Swarm()
  const { group: g0, entry } = Group.create('g', { me: ps[0].id, myLog: ps[0].log, sealer: ps[0].sealer })
  swarm.append(ps[0].log, entry)
  for (const i of [1, 2]) swarm.append(ps[0].log, g0.addMember(ps[i].id.publicKey, ps[i].log))
  const groups: Group[] = ps.map((p, i) => (i === 0 ? g0 : join(p, g0.genesis)))
  let counter = 0
  const sent = new Map<string, string>()
  /** Per message, who the sender counted as members when sending it. */
  const audience = new Map<string, Set<string>>()
  const write = (p: Person, fn: () => ReturnType<Group['send']> | ReturnType<Group['leave']>) => {
    try {
      swarm.append(p.log, fn())
    } catch (err) {
      if (!(err instanceof GroupError) || err.code !== 'not-allowed') throw err
    }
  }
  for (const a of actions) {
    const p = ps[a.who]
    const g = groups[a.who]
    if (a.kind === 'pull') {
      const log = g.logs()[a.log % g.logs().length]
      const blocks = swarm.logs.get(log.toString('hex')) ?? []
      for (let i = g.nextIndex(log), n = 0; i < blocks.length && n < a.count; i++, n++) g.ingest(log, i, blocks[i])
    } else if (a.kind === 'send') {
      const text = `m${counter++}`
      write(p, () => {
        const out = g.send(Buffer.from(text))
        const key = `${p.id.publicKey.toString('hex')}:${out[out.length - 1].seq}`
        sent.set(key, text)
        audience.set(key, new Set(g.members().map((m) => m.identity.toString('hex'))))
        return out
      })
    } else if (a.kind === 'add') write(p, () => g.addMember(ps[a.target].id.publicKey, ps[a.target].log))
    else if (a.kind === 'remove') write(p, () => g.removeMember(ps[a.target].id.publicKey))
    else if (a.kind === 'promote') write(p, () => g.promote(ps[a.target].id.publicKey))
    else if (a.kind === 'leave') write(p, () => g.leave())
    else write(p, () => g.rename(`name ${counter++}`))
  }
  for (const g of groups) swarm.sync(g)
  return { ps, groups, sent, audience }
}

function view(g: Group) {
  return {
    name: g.name,
    members: g.members().map((m) => `${m.identity.toString('hex')}:${m.admin}`).sort(),
    order: g.messages().map((m) => `${m.author.toString('hex')}:${m.seq}`)
  }
}

describe('convergence', () => {
  it('all members end with the same membership, messages and order after arbitrary partitions', () => {
    fc.assert(
      fc.property(fc.array(action, { minLength: 10, maxLength: 60 }), (actions) => {
        const { groups, sent } = run(actions)
        const reference = view(groups[0])
        for (const g of groups) {
          // Everyone who ever received the genesis holds the same blocks once synced.
          if (g.length(groups[0].genesis.creatorLog) === 0) continue
          expect(view(g)).toEqual(reference)
          for (const m of g.messages()) {
            if (m.plaintext) expect(m.plaintext.toString()).toBe(sent.get(`${m.author.toString('hex')}:${m.seq}`))
          }
          expect(g.security().filter((e) => e.kind !== 'refused')).toEqual([])
        }
      }),
      { numRuns: 60 }
    )
  })

  it('a message is readable by exactly the members its sender counted when sending it', () => {
    fc.assert(
      fc.property(fc.array(action, { minLength: 10, maxLength: 60 }), (actions) => {
        const { ps, groups, audience } = run(actions)
        groups.forEach((g, i) => {
          const me = ps[i].id.publicKey.toString('hex')
          for (const m of g.messages()) {
            const key = `${m.author.toString('hex')}:${m.seq}`
            if (m.author.toString('hex') === me) continue
            expect({ key, me, readable: m.plaintext !== null }).toEqual({ key, me, readable: audience.get(key)!.has(me) })
          }
        })
      }),
      { numRuns: 40 }
    )
  })
})

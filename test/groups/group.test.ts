import { beforeAll, describe, expect, it } from 'vitest'
import { cryptoReady } from '../../core/crypto'
import { Group, GroupError, SENDER_KEY_MAX_AGE_MS, encodeEntry } from '../../core/groups'
import { Swarm, join, people, texts } from './helpers'

beforeAll(cryptoReady)

/** Alice creates, adds Bob and Carol; everyone synced. */
function trio() {
  const [alice, bob, carol] = people('alice', 'bob', 'carol')
  const swarm = new Swarm()
  const { group: a, entry } = Group.create('friends', { me: alice.id, myLog: alice.log, sealer: alice.sealer })
  swarm.append(alice.log, entry)
  swarm.append(alice.log, a.addMember(bob.id.publicKey, bob.log))
  swarm.append(alice.log, a.addMember(carol.id.publicKey, carol.log))
  const b = join(bob, a.genesis)
  const c = join(carol, a.genesis)
  for (const g of [b, c]) swarm.sync(g)
  return { alice, bob, carol, swarm, a, b, c }
}

describe('group membership and messages', () => {
  it('every member reads every message, with authors, in one order', () => {
    const { alice, bob, carol, swarm, a, b, c } = trio()
    swarm.append(alice.log, a.send(Buffer.from('hi from alice')))
    swarm.append(bob.log, b.send(Buffer.from('hi from bob')))
    swarm.append(carol.log, c.send(Buffer.from('hi from carol')))
    for (const g of [a, b, c]) swarm.sync(g)
    for (const g of [a, b, c]) {
      expect(g.name).toBe('friends')
      expect(g.members().map((m) => m.identity.toString('hex')).sort()).toEqual(
        [alice, bob, carol].map((p) => p.id.publicKey.toString('hex')).sort()
      )
      expect(texts(g).sort()).toEqual(['hi from alice', 'hi from bob', 'hi from carol'])
    }
    expect(texts(b)).toEqual(texts(a))
    expect(texts(c)).toEqual(texts(a))
    expect(a.messages().map((m) => m.author.toString('hex'))).toEqual(c.messages().map((m) => m.author.toString('hex')))
    expect(a.security()).toEqual([])
  })

  it('a removed member receives the blocks after the removal but can decrypt none of them', () => {
    const { alice, bob, carol, swarm, a, b, c } = trio()
    swarm.append(bob.log, b.send(Buffer.from('before')))
    swarm.sync(c)
    expect(texts(c)).toEqual(['before'])
    swarm.append(alice.log, a.removeMember(carol.id.publicKey))
    swarm.sync(b)
    swarm.append(bob.log, b.send(Buffer.from('after, from bob')))
    swarm.append(alice.log, a.send(Buffer.from('after, from alice')))
    for (const g of [a, b, c]) swarm.sync(g)
    expect(c.isMember()).toBe(false)
    const seen = c.messages()
    // Carol holds all three message blocks (she still replicates), reads only the first.
    expect(swarm.logs.get(bob.log.toString('hex'))!.length).toBe(b.length(bob.log))
    expect(c.length(bob.log)).toBe(b.length(bob.log))
    expect(seen.filter((m) => m.plaintext === null)).toHaveLength(2)
    expect(texts(c)[0]).toBe('before')
    expect(texts(b).sort()).toEqual(['after, from alice', 'after, from bob', 'before'])
    expect(() => c.send(Buffer.from('still here?'))).toThrow(GroupError)
  })

  it('a new member cannot read what was sent before they joined', () => {
    const [alice, bob, dave] = people('alice', 'bob', 'dave')
    const swarm = new Swarm()
    const { group: a, entry } = Group.create('g', { me: alice.id, myLog: alice.log, sealer: alice.sealer })
    swarm.append(alice.log, entry)
    swarm.append(alice.log, a.addMember(bob.id.publicKey, bob.log))
    swarm.append(alice.log, a.send(Buffer.from('old 1')))
    swarm.append(alice.log, a.send(Buffer.from('old 2')))
    swarm.append(alice.log, a.addMember(dave.id.publicKey, dave.log))
    swarm.append(alice.log, a.send(Buffer.from('new')))
    const d = join(dave, a.genesis)
    swarm.sync(d)
    expect(texts(d)).toEqual([null, null, 'new'])
    expect(d.messages().slice(0, 2).map((m) => m.unreadable)).toEqual(['no-sender-key', 'no-sender-key'])
  })

  it("a non-admin's membership operation is refused by everyone", () => {
    const { alice, bob, swarm, a, b, c } = trio()
    const [mallory] = people('mallory')
    swarm.append(bob.log, b.addMember(mallory.id.publicKey, mallory.log))
    swarm.append(bob.log, b.removeMember(alice.id.publicKey))
    for (const g of [a, b, c]) swarm.sync(g)
    for (const g of [a, b, c]) {
      expect(g.members()).toHaveLength(3)
      expect(g.isMember(mallory.id.publicKey)).toBe(false)
      expect(g.isMember(alice.id.publicKey)).toBe(true)
      const refused = g.security().filter((e) => e.kind === 'refused')
      expect(refused.map((e) => e.kind === 'refused' && e.reason)).toEqual(['only admins change the group', 'only admins change the group'])
    }
    swarm.append(alice.log, a.promote(bob.id.publicKey))
    swarm.sync(b)
    swarm.append(bob.log, b.addMember(mallory.id.publicKey, mallory.log))
    swarm.sync(c)
    expect(c.isMember(mallory.id.publicKey)).toBe(true)
  })

  it('a block with a forged author is refused and nothing of it is kept', () => {
    const { alice, bob, swarm, a, b, c } = trio()
    swarm.append(bob.log, b.send(Buffer.from('genuine')))
    swarm.sync(c)
    // Bob's block with Alice named as the author: the signature is Bob's, not Alice's.
    const genuine = swarm.logs.get(bob.log.toString('hex'))!
    const forged = Buffer.from(genuine[genuine.length - 1])
    alice.id.publicKey.copy(forged, 2 + 32)
    expect(() => a.ingest(bob.log, genuine.length - 1, forged)).toThrow(expect.objectContaining({ code: 'bad-signature' }))
    // A block correctly signed by Alice, placed at the next position of Bob's log.
    const before = c.length(bob.log)
    const misplaced = encodeEntry(
      { group: a.id, author: alice.id.publicKey, seq: before, heads: [], body: { kind: 'op', op: { type: 'rename', name: 'mine' } } },
      alice.id.secretKey
    )
    expect(() => c.ingest(bob.log, before, misplaced.bytes)).toThrow(expect.objectContaining({ code: 'wrong-author' }))
    expect(c.length(bob.log)).toBe(before)
    expect(c.name).toBe('friends')
    expect(texts(c)).toEqual(['genuine'])
  })

  it('rotates the sender key after a week and on every removal', () => {
    let now = 1_000_000
    const [alice, bob] = people('alice', 'bob')
    const swarm = new Swarm()
    const { group: a, entry } = Group.create('g', { me: alice.id, myLog: alice.log, sealer: alice.sealer, now: () => now })
    swarm.append(alice.log, entry)
    swarm.append(alice.log, a.addMember(bob.id.publicKey, bob.log))
    const kinds = (blocks: { body: { kind: string } }[]) => blocks.map((e) => e.body.kind)
    expect(kinds(a.send(Buffer.from('1')))).toEqual(['message'])
    now += SENDER_KEY_MAX_AGE_MS - 1
    expect(kinds(a.send(Buffer.from('2')))).toEqual(['message'])
    now += 1
    const rotated = a.send(Buffer.from('3'))
    expect(kinds(rotated)).toEqual(['sender-key', 'message'])
    expect(rotated[0].body.kind === 'sender-key' && rotated[0].body.recipients.map((r) => r.member)).toEqual([bob.id.publicKey])
    expect(kinds(a.send(Buffer.from('4')))).toEqual(['message'])
    const [carol] = people('carol')
    const added = a.addMember(carol.id.publicKey, carol.log)
    expect(kinds(added)).toEqual(['op', 'sender-key'])
    expect(kinds(a.removeMember(carol.id.publicKey))).toEqual(['op', 'sender-key'])
    expect(kinds(a.send(Buffer.from('5')))).toEqual(['message'])
  })

  it('every member reads across rotations', () => {
    let now = 0
    const [alice, bob] = people('alice', 'bob')
    const swarm = new Swarm()
    const { group: a, entry } = Group.create('g', { me: alice.id, myLog: alice.log, sealer: alice.sealer, now: () => now })
    swarm.append(alice.log, entry)
    swarm.append(alice.log, a.addMember(bob.id.publicKey, bob.log))
    const b = join(bob, a.genesis)
    for (let i = 0; i < 4; i++) {
      swarm.append(alice.log, a.send(Buffer.from(`m${i}`)))
      now += SENDER_KEY_MAX_AGE_MS
    }
    swarm.sync(b)
    expect(texts(b)).toEqual(['m0', 'm1', 'm2', 'm3'])
  })

  it('a removed admin cannot backdate a change or a message to before their removal', () => {
    const { alice, bob, swarm, a, b, c } = trio()
    const [mallory] = people('mallory')
    swarm.append(alice.log, a.promote(bob.id.publicKey))
    swarm.sync(b)
    swarm.append(alice.log, a.removeMember(bob.id.publicKey))
    // Bob has not taken in his removal (or pretends not to): his blocks leave it out of their past.
    swarm.append(bob.log, b.addMember(mallory.id.publicKey, mallory.log))
    swarm.append(bob.log, b.send(Buffer.from('sneaky')))
    for (const g of [a, b, c]) swarm.sync(g)
    for (const g of [a, b, c]) {
      expect(g.isMember(bob.id.publicKey)).toBe(false)
      expect(g.isMember(mallory.id.publicKey)).toBe(false)
      expect(g.messages()).toHaveLength(0)
      const reasons = g.security().flatMap((e) => (e.kind === 'refused' ? [e.reason] : []))
      expect(reasons.filter((r) => r.includes('concurrently'))).toHaveLength(3)
    }
  })

  it('of two admins removing each other at once, exactly one removal stands, the same everywhere', () => {
    const { alice, bob, swarm, a, b, c } = trio()
    swarm.append(alice.log, a.promote(bob.id.publicKey))
    swarm.sync(b)
    swarm.append(alice.log, a.removeMember(bob.id.publicKey))
    swarm.append(bob.log, b.removeMember(alice.id.publicKey))
    for (const g of [a, b, c]) swarm.sync(g)
    const survivors = [a, b, c].map((g) => [g.isMember(alice.id.publicKey), g.isMember(bob.id.publicKey)])
    expect(survivors[0].filter(Boolean)).toHaveLength(1)
    expect(survivors[1]).toEqual(survivors[0])
    expect(survivors[2]).toEqual(survivors[0])
  })
})

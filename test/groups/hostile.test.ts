import { beforeAll, describe, expect, it } from 'vitest'
import { cryptoReady } from '../../core/crypto'
import { Group, MAX_ENTRY_BYTES, MAX_MEMBERS, encodeEntry, verifyForkEvidence, type Entry } from '../../core/groups'
import { MAX_BACKLOG_PER_LOG } from '../../core/groups/history'
import { Swarm, join, people, texts } from './helpers'

beforeAll(cryptoReady)

function setup() {
  const [alice, bob, carol] = people('alice', 'bob', 'carol')
  const swarm = new Swarm()
  const { group: a, entry } = Group.create('g', { me: alice.id, myLog: alice.log, sealer: alice.sealer })
  swarm.append(alice.log, entry)
  swarm.append(alice.log, a.addMember(bob.id.publicKey, bob.log))
  swarm.append(alice.log, a.addMember(carol.id.publicKey, carol.log))
  swarm.append(alice.log, a.send(Buffer.from('one')))
  const b = join(bob, a.genesis)
  const c = join(carol, a.genesis)
  swarm.sync(b)
  swarm.sync(c)
  return { alice, bob, carol, swarm, a, b, c }
}

function snapshot(g: Group) {
  return JSON.stringify({
    logs: g.logs().map((l) => [l.toString('hex'), g.length(l), g.nextIndex(l)]),
    members: g.members().map((m) => m.identity.toString('hex')),
    texts: texts(g),
    security: g.security().length
  })
}

function refused(g: Group, fn: () => unknown, code: string) {
  const before = snapshot(g)
  expect(fn).toThrow(expect.objectContaining({ name: 'GroupError', code }))
  expect(snapshot(g)).toBe(before)
}

describe('hostile group input', () => {
  it('oversized, malformed, truncated, extended, future-version blocks: a clear error, nothing kept', () => {
    const { alice, swarm, c } = setup()
    const next = c.nextIndex(alice.log)
    const valid = swarm.logs.get(alice.log.toString('hex'))![2]
    refused(c, () => c.ingest(alice.log, next, Buffer.alloc(MAX_ENTRY_BYTES + 1)), 'malformed')
    refused(c, () => c.ingest(alice.log, next, Buffer.from([1, 0, 1, 2, 3])), 'malformed')
    refused(c, () => c.ingest(alice.log, next, Buffer.from([1, 9, ...valid.subarray(2)])), 'malformed')
    refused(c, () => c.ingest(alice.log, next, valid.subarray(0, valid.length - 10)), 'malformed')
    refused(c, () => c.ingest(alice.log, next, Buffer.concat([valid, Buffer.from([0])])), 'malformed')
    const flipped = Buffer.from(valid)
    flipped[40] ^= 1
    refused(c, () => c.ingest(alice.log, next, flipped), 'bad-signature')
    const future = Buffer.from(valid)
    future[0] = 2
    refused(c, () => c.ingest(alice.log, next, future), 'unsupported-version')
    refused(c, () => c.ingest(alice.log, next, 'text' as unknown as Buffer), 'malformed')
  })

  it('a replayed operation, a block of another group, a log nobody added: refused', () => {
    const { alice, swarm, c } = setup()
    const blocks = swarm.logs.get(alice.log.toString('hex'))!
    refused(c, () => c.ingest(alice.log, 1, blocks[1]), 'replayed')
    refused(c, () => c.ingest(alice.log, c.nextIndex(alice.log), blocks[1]), 'out-of-order')
    const other = Group.create('other', { me: alice.id, myLog: alice.log, sealer: alice.sealer })
    refused(c, () => c.ingest(alice.log, 0, other.entry.bytes), 'unknown-group')
    const [eve] = people('eve')
    refused(c, () => c.ingest(eve.log, 0, blocks[0]), 'unknown-writer')
    expect(texts(c)).toEqual(['one'])
  })

  it('member lists and heads beyond the bound are refused; an add past MAX_MEMBERS is refused by the rules', () => {
    const { alice, a, c } = setup()
    const fields = (seq: number, body: Entry['body']) => ({ group: a.id, author: alice.id.publicKey, seq, heads: [], body })
    const huge = encodeEntry(
      fields(c.nextIndex(alice.log), {
        kind: 'sender-key',
        keyId: Buffer.alloc(16),
        recipients: Array.from({ length: MAX_MEMBERS + 1 }, () => ({ member: Buffer.alloc(32, 1), sealed: Buffer.alloc(1) }))
      }),
      alice.id.secretKey
    )
    refused(c, () => c.ingest(alice.log, c.nextIndex(alice.log), huge.bytes), 'malformed')
    const heads = Array.from({ length: MAX_MEMBERS + 1 }, (_, i) => ({ log: Buffer.alloc(32, i % 256), length: 1, hash: Buffer.alloc(32) }))
    const many = encodeEntry({ ...fields(c.nextIndex(alice.log), { kind: 'op', op: { type: 'leave' } }), heads }, alice.id.secretKey)
    refused(c, () => c.ingest(alice.log, c.nextIndex(alice.log), many.bytes), 'malformed')
    const [p] = people('p')
    expect(() => a.addMember(Buffer.alloc(32, 1), Buffer.alloc(32, 1))).toThrow(expect.objectContaining({ code: 'malformed' }))
    for (let i = a.members().length; i < MAX_MEMBERS; i++) a.addMember(people('member')[0].id.publicKey, Buffer.alloc(32, i))
    expect(a.members()).toHaveLength(MAX_MEMBERS)
    a.addMember(p.id.publicKey, p.log)
    expect(a.isMember(p.id.publicKey)).toBe(false)
    expect(a.security().some((e) => e.kind === 'refused' && e.reason.includes('members already'))).toBe(true)
  })

  it('a member who signs two versions of one block is caught with proof anyone can check', () => {
    const { bob, swarm, a, b, c } = setup()
    swarm.append(bob.log, b.send(Buffer.from('first')))
    swarm.sync(c)
    const seq = c.nextIndex(bob.log) - 1
    const held = swarm.logs.get(bob.log.toString('hex'))![seq]
    const other = encodeEntry(
      { group: a.id, author: bob.id.publicKey, seq, heads: [], body: { kind: 'op', op: { type: 'leave' } } },
      bob.id.secretKey
    )
    const before = texts(c)
    expect(() => c.ingest(bob.log, seq, other.bytes)).toThrow(expect.objectContaining({ code: 'fork' }))
    expect(texts(c)).toEqual(before)
    expect(c.nextIndex(bob.log)).toBe(seq + 1)
    // The refusal itself is not silent: the evidence is kept and reported.
    const forks = c.security().filter((e) => e.kind === 'fork')
    expect(forks).toHaveLength(1)
    const evidence = forks[0].kind === 'fork' ? forks[0].evidence : null
    expect(evidence!.first.equals(held)).toBe(true)
    expect(() => verifyForkEvidence(evidence!)).not.toThrow()
    expect(() => verifyForkEvidence({ ...evidence!, second: evidence!.first })).toThrow()
  })

  it('a member whose heads name a version of a log I do not hold is reported and no longer delivered', () => {
    const { alice, bob, a, b, c } = setup()
    // Alice shows Bob one version of her next block and Carol another.
    const seq = a.nextIndex(alice.log)
    const forBob = encodeEntry({ group: a.id, author: alice.id.publicKey, seq, heads: [], body: { kind: 'op', op: { type: 'rename', name: 'x' } } }, alice.id.secretKey)
    const forCarol = encodeEntry({ group: a.id, author: alice.id.publicKey, seq, heads: [], body: { kind: 'op', op: { type: 'rename', name: 'y' } } }, alice.id.secretKey)
    b.ingest(alice.log, seq, forBob.bytes)
    c.ingest(alice.log, seq, forCarol.bytes)
    const sent = b.send(Buffer.from('after x'))
    expect(sent).toHaveLength(2)
    expect(c.ingest(bob.log, sent[0].seq, sent[0].bytes)).toBe(0)
    expect(() => c.ingest(bob.log, sent[1].seq, sent[1].bytes)).toThrow(expect.objectContaining({ code: 'fork' }))
    const events = c.security().filter((e) => e.kind === 'head-conflict')
    expect(events).toHaveLength(1)
    expect(events[0].kind === 'head-conflict' && events[0].conflict.log.equals(alice.log)).toBe(true)
    expect(texts(c)).toEqual(['one'])
    expect(c.name).toBe('y')
  })

  it('a sender key sealed for someone else is reported; the group keeps working', () => {
    const { alice, bob, swarm, a, b, c } = setup()
    const good = b.send(Buffer.from('hello'))
    const share = good[0]
    expect(share.body.kind).toBe('sender-key')
    if (share.body.kind !== 'sender-key') return
    // Swap the two sealed shares: each recipient finds under its name one sealed for the other.
    const [r1, r2] = share.body.recipients
    const swapped = encodeEntry(
      { ...share, body: { ...share.body, recipients: [{ member: r1.member, sealed: r2.sealed }, { member: r2.member, sealed: r1.sealed }] } },
      bob.id.secretKey
    )
    const message = good[1]
    c.ingest(bob.log, swapped.seq, swapped.bytes)
    c.ingest(bob.log, message.seq, message.bytes)
    expect(c.security().filter((e) => e.kind === 'bad-share')).toHaveLength(1)
    expect(texts(c)).toEqual(['one', null])
    swarm.append(alice.log, a.send(Buffer.from('two')))
    swarm.sync(c)
    expect(texts(c).filter((t) => t !== null).sort()).toEqual(['one', 'two'])
    expect(texts(c).filter((t) => t === null)).toHaveLength(1)
  })

  it('a member whose blocks wait on predecessors that never come fills only its own backlog', () => {
    const { alice, bob, swarm, a, c } = setup()
    const ghost = { log: Buffer.alloc(32, 0xee), length: 1, hash: Buffer.alloc(32) }
    let seq = c.nextIndex(bob.log)
    let refusedAt = -1
    for (let i = 0; i < MAX_BACKLOG_PER_LOG + 5; i++, seq++) {
      const block = encodeEntry(
        { group: a.id, author: bob.id.publicKey, seq, heads: i === 0 ? [ghost] : [], body: { kind: 'op', op: { type: 'leave' } } },
        bob.id.secretKey
      )
      try {
        c.ingest(bob.log, seq, block.bytes)
      } catch (err) {
        expect(err).toMatchObject({ code: 'backlog-full' })
        refusedAt = i
        break
      }
    }
    expect(refusedAt).toBe(MAX_BACKLOG_PER_LOG)
    swarm.append(alice.log, a.send(Buffer.from('still flowing')))
    swarm.sync(c)
    expect(texts(c)).toEqual(['one', 'still flowing'])
  })
})

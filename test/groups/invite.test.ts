import { beforeAll, describe, expect, it } from 'vitest'
import { cryptoReady } from '../../core/crypto'
import { Group, MAX_ENTRY_BYTES, decodeAccept, decodeInvite, encodeAccept, encodeInvite } from '../../core/groups'
import { Swarm, join, people, texts } from './helpers'

beforeAll(cryptoReady)

function code(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    return (err as { code?: string }).code ?? 'not a GroupError'
  }
  return 'no error'
}

describe('joining by invite and accept', () => {
  it('an invited contact finds the swarm, accepts, is added, and reads from then on', () => {
    const [alice, bob] = people('alice', 'bob')
    const swarm = new Swarm()
    const { group: a, entry } = Group.create('book club', { me: alice.id, myLog: alice.log, sealer: alice.sealer })
    swarm.append(alice.log, entry)
    swarm.append(alice.log, a.send(Buffer.from('before bob')))
    const invite = decodeInvite(encodeInvite({ ...a.invitation(), name: a.name }))
    expect(invite.name).toBe('book club')
    const b = join(bob, invite.genesis, undefined, invite.groupSecret)
    expect(b.topics().map((t) => t.toString('hex'))).toEqual(a.topics().map((t) => t.toString('hex')))
    const accept = decodeAccept(encodeAccept({ group: b.id, log: bob.log }))
    expect(accept.group.equals(a.id)).toBe(true)
    swarm.append(alice.log, a.addMember(bob.id.publicKey, accept.log))
    swarm.append(alice.log, a.send(Buffer.from('welcome')))
    swarm.sync(b)
    expect(b.isMember()).toBe(true)
    expect(texts(b)).toEqual([null, 'welcome'])
  })

  it('a forged genesis yields nothing: the creator block does not match the group id', () => {
    const [alice, mallory, bob] = people('alice', 'mallory', 'bob')
    const swarm = new Swarm()
    const { group: a, entry } = Group.create('real', { me: alice.id, myLog: alice.log, sealer: alice.sealer })
    swarm.append(alice.log, entry)
    const forged = { ...a.invitation().genesis, creator: mallory.id.publicKey }
    const b = join(bob, forged)
    expect(code(() => swarm.sync(b))).toBe('wrong-author')
    expect(b.members()).toEqual([])
  })

  it('malformed invitations are refused with a clear error', () => {
    const [alice] = people('alice')
    const { group: a } = Group.create('g', { me: alice.id, myLog: alice.log, sealer: alice.sealer })
    const good = encodeInvite({ ...a.invitation(), name: 'g' })
    expect(code(() => decodeInvite(good.subarray(0, 40)))).toBe('malformed')
    expect(code(() => decodeInvite(Buffer.concat([good, Buffer.from([0])])))).toBe('malformed')
    expect(code(() => decodeInvite(Buffer.from([2, ...good.subarray(1)])))).toBe('unsupported-version')
    expect(code(() => decodeAccept(good))).toBe('malformed')
    expect(code(() => decodeInvite(Buffer.alloc(MAX_ENTRY_BYTES)))).toBe('malformed')
    expect(code(() => encodeInvite({ ...a.invitation(), name: 'x'.repeat(200) }))).toBe('malformed')
  })
})

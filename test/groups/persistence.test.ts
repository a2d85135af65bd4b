import { readFileSync } from 'node:fs'
import { join as joinPath } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { cryptoReady, ed25519KeyPair } from '../../core/crypto'
import { Group, RatchetSealer, decodeSnapshot, encodeSnapshot } from '../../core/groups'
import { DIR } from './fixture-inputs'
import { Swarm, people, texts, type Person } from './helpers'

beforeAll(cryptoReady)

const noBundles = () => null
const noPrekeys = () => null

function code(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    return (err as { code?: string }).code ?? 'not a GroupError'
  }
  return 'no error'
}

function restart(p: Person, g: Group): Group {
  const sealer = RatchetSealer.decode(p.sealer.encode(), p.id, noBundles, noPrekeys)
  p.sealer = sealer
  return Group.restore(g.snapshot(), { me: p.id, sealer })
}

describe('group state across a restart', () => {
  it('reads the old messages from its records, decrypts new ones, and keeps sending on its chain', () => {
    const [alice, bob] = people('alice', 'bob')
    const swarm = new Swarm()
    const { group: a, entry } = Group.create('g', { me: alice.id, myLog: alice.log, sealer: alice.sealer })
    swarm.append(alice.log, entry)
    swarm.append(alice.log, a.addMember(bob.id.publicKey, bob.log))
    swarm.append(alice.log, a.send(Buffer.from('one')))
    const b0 = new Group(a.genesis, { me: bob.id, myLog: bob.log, sealer: bob.sealer })
    swarm.sync(b0)
    swarm.append(bob.log, b0.send(Buffer.from('from bob before')))
    swarm.sync(a)
    swarm.append(alice.log, a.send(Buffer.from('two')))
    swarm.sync(b0)
    expect(texts(b0)).toEqual(['one', 'from bob before', 'two'])

    const b = restart(bob, b0)
    swarm.sync(b)
    expect(texts(b)).toEqual(['one', 'from bob before', 'two'])
    expect(b.members()).toHaveLength(2)
    // A sender key block processed a second time would fail to open (its pairwise key is spent).
    expect(b.security()).toEqual([])
    swarm.append(alice.log, a.send(Buffer.from('three')))
    const sent = b.send(Buffer.from('from bob after'))
    // The chain and who has it survived: no new sender key block was needed.
    expect(sent.map((e) => e.body.kind)).toEqual(['message'])
    swarm.append(bob.log, sent)
    swarm.sync(b)
    swarm.sync(a)
    // 'three' and 'from bob after' were written concurrently: the tie-break orders them, the same for both.
    expect(texts(b).slice(0, 3)).toEqual(['one', 'from bob before', 'two'])
    expect(texts(b).slice(3).sort()).toEqual(['from bob after', 'three'])
    expect(texts(a)).toEqual(texts(b))
  })

  it('a corrupt snapshot or sealer state is a clear error', () => {
    const [alice] = people('alice')
    const { group: a } = Group.create('g', { me: alice.id, myLog: alice.log, sealer: alice.sealer })
    a.send(Buffer.from('x'))
    const good = a.snapshot()
    expect(code(() => decodeSnapshot(good.subarray(0, good.length - 1)))).toBe('malformed')
    expect(code(() => decodeSnapshot(Buffer.concat([good, Buffer.from([0])])))).toBe('malformed')
    expect(code(() => decodeSnapshot(Buffer.from([9, ...good.subarray(1)])))).toBe('unsupported-version')
    // A count of a billion records in a few bytes is refused before anything is allocated.
    const empty = encodeSnapshot({ ...decodeSnapshot(good), records: [] })
    expect(empty[empty.length - 1]).toBe(0)
    const huge = Buffer.concat([empty.subarray(0, empty.length - 1), Buffer.from([0xfe, 0, 0xca, 0x9a, 0x3b])])
    expect(() => decodeSnapshot(huge)).toThrow(/claims 1000000000 items/)
    expect(code(() => RatchetSealer.decode(Buffer.from([1, 5]), alice.id, noBundles, noPrekeys))).toBe('malformed')
  })

  it('a frozen snapshot and sealer state from this version still open and decrypt', () => {
    const scenario = JSON.parse(readFileSync(joinPath(DIR, 'restore-scenario.json'), 'utf8'))
    const bob = ed25519KeyPair(Buffer.alloc(32, 0x21))
    const snapshot = readFileSync(joinPath(DIR, 'snapshot.bin'))
    const sealerBytes = readFileSync(joinPath(DIR, 'sealer.bin'))
    expect(encodeSnapshot(decodeSnapshot(snapshot)).equals(snapshot)).toBe(true)
    const sealer = RatchetSealer.decode(sealerBytes, bob, noBundles, noPrekeys)
    expect(sealer.encode().equals(sealerBytes)).toBe(true)
    const g = Group.restore(snapshot, { me: bob, sealer })
    const aliceLog = Buffer.from(scenario.aliceLog, 'hex')
    scenario.aliceBlocks.forEach((hex: string, i: number) => g.ingest(aliceLog, i, Buffer.from(hex, 'hex')))
    expect(texts(g)).toEqual(scenario.expected)
  })
})

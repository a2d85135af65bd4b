// CallManager on real Networks: the policies (busy, non-contacts never ring, a headless node answers
// 'unavailable'), media through the active call, the end of a call when its connection drops, and
// a call, active or still ringing, that goes on over the connection that replaces its own.
import { afterEach, beforeEach, expect, it } from 'vitest'
import { CallManager, type CallEvent } from '../../core/media/call-manager'
import type { MediaFrame } from '../../core/media/fragments'
import { Harness, connectPair, nextPeer, until, type TestNode } from '../helpers/net'
import { SESSION_ID, side, type Side } from './call-pair'

let h: Harness
beforeEach(async () => {
  h = new Harness()
  await h.start()
})
afterEach(() => h.stop())

interface Node {
  node: TestNode
  manager: CallManager
  events: CallEvent[]
  frames: MediaFrame[]
  sides: Map<string, Side>
  contacts: Set<string>
  /** Frame types that leave as sent but never arrive: lost with a connection that is dying. */
  lost: Set<string>
}

async function make(canTakeCalls = true, ringTimeoutMs = 2_000): Promise<Node> {
  const node = await h.node()
  const sides = new Map<string, Side>()
  const contacts = new Set<string>()
  const lost = new Set<string>()
  const manager = new CallManager({
    localIdentity: node.keyPair.publicKey,
    sessionIdOf: (remote) => (contacts.has(remote.toString('hex')) ? SESSION_ID : null),
    hasSession: (remote, sid) => contacts.has(remote.toString('hex')) && sid.equals(SESSION_ID),
    sendFrame: (remote, frame) => {
      const s = sides.get(remote.toString('hex'))
      if (s === undefined || s.peer.closed) return false
      if (!lost.has(frame.type)) s.sendFrame(frame)
      return true
    },
    streamOf: (remote) => {
      const s = sides.get(remote.toString('hex'))
      return s === undefined || s.peer.closed ? null : s.peer.stream
    },
    canTakeCalls,
    ringTimeoutMs,
    reconnectGraceMs: 5_000
  })
  const n: Node = { node, manager, events: [], frames: [], sides, contacts, lost }
  manager.on('call', (e: CallEvent) => n.events.push(e))
  manager.on('frame', (_id: string, f: MediaFrame) => n.frames.push(f))
  return n
}

/** Connects two nodes; each counts the other as a contact with a session unless told otherwise. */
async function link(a: Node, b: Node, { aKnowsB = true, bKnowsA = true } = {}): Promise<void> {
  const [pa, pb] = await connectPair(a.node, b.node)
  const key = (n: Node) => n.node.keyPair.publicKey.toString('hex')
  for (const [self, other, peer, knows] of [[a, b, pa, aKnowsB], [b, a, pb, bKnowsA]] as const) {
    const s = side(self.node, peer)
    s.onFrame = (frame) => self.manager.receive(other.node.keyPair.publicKey, frame)
    self.sides.set(key(other), s)
    if (knows) self.contacts.add(key(other))
  }
}

const ended = (n: Node) => n.events.filter((e) => e.type === 'ended')
const key = (n: Node) => n.node.keyPair.publicKey.toString('hex')

/**
 * The connection closes on both sides (as the network does when it replaces one) and the network
 * connects the pair again: each side's control channel hands its calls the new one. whileDown runs
 * once both sides have seen the close, before the new connection exists.
 */
async function reconnect(alice: Node, bob: Node, whileDown = () => {}): Promise<void> {
  const again = Promise.all([nextPeer(alice.node.net), nextPeer(bob.node.net)])
  let closed = 0
  for (const [self, other] of [[alice, bob], [bob, alice]] as const) {
    const peer = self.sides.get(key(other))!.peer
    peer.once('close', () => {
      self.manager.connectionLost(other.node.keyPair.publicKey)
      if (++closed === 2) whileDown()
    })
  }
  alice.sides.get(key(bob))!.peer.close()
  const [pa, pb] = await again
  for (const [self, other, peer] of [[alice, bob, pa], [bob, alice, pb]] as const) {
    const s = side(self.node, peer)
    s.onFrame = (frame) => self.manager.receive(other.node.keyPair.publicKey, frame)
    self.sides.set(key(other), s)
    self.manager.connected(other.node.keyPair.publicKey)
  }
}

it('calls, carries frames, shows the same words on both sides and hangs up', async () => {
  const alice = await make()
  const bob = await make()
  await link(alice, bob)
  const call = alice.manager.start(bob.node.keyPair.publicKey, false)
  await until(() => bob.events.some((e) => e.type === 'incoming'), 'bob rings')
  bob.manager.accept(call.id, false)
  await until(() => alice.manager.list()[0]?.phase === 'active', 'alice active')
  const [a] = alice.manager.list()
  const [b] = bob.manager.list()
  expect(a.sas).toEqual(b.sas)
  expect(() => alice.manager.start(bob.node.keyPair.publicKey, false)).toThrow(/already in a call/)
  alice.manager.sendFrame(call.id, { stream: 'audio', keyframe: true, seq: 0, timestampUs: 0, data: Buffer.from('opus') })
  await until(() => bob.frames.length === 1, 'frame at bob')
  bob.manager.hangup(call.id)
  await until(() => ended(alice).length === 1, 'alice sees the end')
  expect(ended(alice)[0]).toMatchObject({ end: { reason: 'hangup', by: 'remote' } })
  expect(alice.manager.list()).toEqual([])
})

it('answers busy to a second caller, and a non-contact\'s offer never rings', async () => {
  const alice = await make()
  const bob = await make()
  const carol = await make()
  const mallory = await make()
  await link(alice, bob)
  await link(carol, bob)
  await link(mallory, bob, { bKnowsA: false })
  const first = alice.manager.start(bob.node.keyPair.publicKey, false)
  await until(() => bob.events.length > 0, 'bob rings')
  bob.manager.accept(first.id, false)
  carol.manager.start(bob.node.keyPair.publicKey, false)
  await until(() => ended(carol).length === 1, 'carol ends')
  expect(ended(carol)[0]).toMatchObject({ end: { reason: 'busy' } })
  mallory.manager.start(bob.node.keyPair.publicKey, false)
  await until(() => ended(mallory).length === 1, 'mallory times out', 5_000)
  expect(ended(mallory)[0]).toMatchObject({ end: { reason: 'timeout' } })
  const incoming = bob.events.filter((e) => e.type === 'incoming').map((e) => e.call.remote)
  expect(incoming).not.toContain(mallory.node.keyPair.publicKey.toString('hex'))
  expect(bob.manager.list()).toHaveLength(1)
})

it('a node that cannot take calls answers unavailable and still reports the call', async () => {
  const alice = await make()
  const headless = await make(false)
  await link(alice, headless)
  alice.manager.start(headless.node.keyPair.publicKey, false)
  await until(() => ended(alice).length === 1, 'alice ends')
  expect(ended(alice)[0]).toMatchObject({ end: { reason: 'unavailable' } })
  expect(headless.events.map((e) => e.type)).toEqual(['incoming', 'ended'])
})

it('ends the call when its connection drops', async () => {
  const alice = await make()
  const bob = await make()
  await link(alice, bob)
  const call = alice.manager.start(bob.node.keyPair.publicKey, false)
  await until(() => bob.events.length > 0, 'bob rings')
  bob.manager.accept(call.id, false)
  await until(() => alice.manager.list()[0]?.phase === 'active', 'active')
  const aliceSide = alice.sides.get(bob.node.keyPair.publicKey.toString('hex'))!
  aliceSide.peer.once('close', () => alice.manager.connectionLost(bob.node.keyPair.publicKey))
  aliceSide.peer.close()
  await until(() => ended(alice).length === 1, 'alice ends')
  expect(ended(alice)[0]).toMatchObject({ end: { reason: 'failed' } })
})

it('an active call goes on when the network connects the pair again after its connection closed', async () => {
  const alice = await make()
  const bob = await make()
  await link(alice, bob)
  const call = alice.manager.start(bob.node.keyPair.publicKey, false)
  await until(() => bob.events.length > 0, 'bob rings')
  bob.manager.accept(call.id, false)
  await until(() => alice.manager.list()[0]?.phase === 'active', 'active')
  const audio = (seq: number) => ({ stream: 'audio' as const, keyframe: true, seq, timestampUs: seq * 20_000, data: Buffer.from(`opus ${seq}`) })
  alice.manager.sendFrame(call.id, audio(0))
  await until(() => bob.frames.length === 1, 'a frame on the first connection')

  await reconnect(alice, bob)

  for (let seq = 1; seq <= 5; seq++) alice.manager.sendFrame(call.id, audio(seq))
  bob.manager.sendFrame(call.id, audio(100))
  await until(() => bob.frames.length === 6 && alice.frames.length === 1, 'frames both ways on the new connection')
  expect(bob.frames.map((f) => f.seq)).toEqual([0, 1, 2, 3, 4, 5])
  expect(ended(alice)).toEqual([])
  expect(ended(bob)).toEqual([])
  expect(alice.manager.list()[0].phase).toBe('active')
  alice.manager.hangup(call.id)
  await until(() => ended(bob).length === 1, 'bob sees the hangup on the new connection')
  expect(ended(bob)[0]).toMatchObject({ end: { reason: 'hangup', by: 'remote' } })
})

it('a ringing call goes on over the next connection: an accept while none was open starts the call on it', async () => {
  const alice = await make(true, 60_000)
  const bob = await make(true, 60_000)
  await link(alice, bob)
  const call = alice.manager.start(bob.node.keyPair.publicKey, false)
  await until(() => alice.manager.list()[0]?.phase === 'ringing', 'alice hears it ring')
  await reconnect(alice, bob, () => bob.manager.accept(call.id, false))
  await until(() => alice.manager.list()[0]?.phase === 'active', 'the accept reaches alice over the new connection')
  expect(alice.manager.list()[0].sas).toEqual(bob.manager.list()[0].sas)
  alice.manager.sendFrame(call.id, { stream: 'audio', keyframe: true, seq: 0, timestampUs: 0, data: Buffer.from('opus') })
  bob.manager.sendFrame(call.id, { stream: 'audio', keyframe: true, seq: 0, timestampUs: 0, data: Buffer.from('opus') })
  await until(() => bob.frames.length === 1 && alice.frames.length === 1, 'media both ways on the new connection')
  expect(ended(alice)).toEqual([])
  expect(ended(bob)).toEqual([])
})

it('a call declined while no connection was open ends at the caller once one opens, and does not ring twice', async () => {
  const alice = await make(true, 60_000)
  const bob = await make(true, 60_000)
  await link(alice, bob)
  const call = alice.manager.start(bob.node.keyPair.publicKey, false)
  await until(() => alice.manager.list()[0]?.phase === 'ringing', 'alice hears it ring')
  // Alice sends her offer again on the new connection; Bob has ended that call and stays quiet.
  await reconnect(alice, bob, () => bob.manager.decline(call.id))
  await until(() => ended(alice).length === 1, 'the decline reaches alice')
  expect(ended(alice)[0]).toMatchObject({ end: { reason: 'declined', by: 'remote' } })
  expect(bob.events.filter((e) => e.type === 'incoming')).toHaveLength(1)
  expect(bob.manager.list()).toEqual([])
})

it('a hangup lost with its connection still ends the call at the other side once the pair reconnects, either way round', async () => {
  const alice = await make(true, 60_000)
  const bob = await make(true, 60_000)
  await link(alice, bob)
  for (const [caller, callee, hangsUp] of [[alice, bob, bob], [alice, bob, alice]] as const) {
    const other = hangsUp === caller ? callee : caller
    const call = caller.manager.start(callee.node.keyPair.publicKey, false)
    await until(() => callee.manager.list()[0]?.phase === 'ringing', 'the callee rings')
    callee.manager.accept(call.id, false)
    await until(() => caller.manager.list()[0]?.phase === 'active', 'active')
    const before = ended(other).length
    hangsUp.lost.add('hangup')
    hangsUp.manager.hangup(call.id)
    hangsUp.lost.clear()
    expect(other.manager.list()[0]?.phase).toBe('active')
    // The other side resends its offer or accept on the new connection; the side that hung up answers it.
    await reconnect(alice, bob)
    await until(() => ended(other).length === before + 1, 'the end reaches the other side')
    expect(ended(other).at(-1)).toMatchObject({ end: { reason: 'hangup', by: 'remote' } })
    expect(other.manager.list()).toEqual([])
  }
}, 60_000)

// Calls between two real Cairn Networks on a loopback testnet: call frames on a Protomux channel of
// the real connection, media as datagrams on its secret-stream.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import c from 'compact-encoding'
import Protomux from 'protomux'
import { Harness, until } from '../helpers/net'
import type { MediaPacket } from '../../core/media/media-packet'
import { QUEUE_ITEMS } from '../../core/media/media-link'
import { callPair, ring, type Side, type Tracked } from './call-pair'

let h: Harness
beforeEach(async () => {
  h = new Harness()
  await h.start()
})
afterEach(() => h.stop())

const audio = (seq: number): MediaPacket => ({
  kind: 'media',
  stream: 'audio',
  keyframe: false,
  seq,
  timestampUs: seq * 20_000,
  fragment: 0,
  fragments: 1,
  data: Buffer.alloc(80, seq & 0xff)
})

describe('a call over the connection', () => {
  it('rings, connects with the same words on both sides, carries media both ways, and hangs up', async () => {
    const { alice, bob } = await callPair(h)
    const { a, b } = await ring(alice, bob)
    expect(b.leg.phase).toBe('ringing')
    expect(b.leg.accept(false)).toBe(true)
    await until(() => a.leg.phase === 'active', 'alice active')
    expect(a.keys?.sas).toEqual(b.keys?.sas)
    expect(a.keys?.sas).toHaveLength(4)
    for (let i = 0; i < 50; i++) {
      a.media?.send(audio(i))
      b.media?.send(audio(1000 + i))
    }
    await until(() => a.packets.length >= 45 && b.packets.length >= 45, 'media both ways')
    expect((b.packets[0] as { seq: number }).seq).toBe(0)
    expect(b.packets.every((p) => p.kind === 'media' && p.stream === 'audio')).toBe(true)
    a.leg.hangup()
    await until(() => b.end !== null, 'bob sees the hangup')
    expect(a.end).toMatchObject({ reason: 'hangup', by: 'local' })
    expect(b.end).toMatchObject({ reason: 'hangup', by: 'remote' })
    expect(b.end!.durationMs).toBeGreaterThanOrEqual(0)
  })

  it('ends as declined for the caller when the callee declines, and as busy when it is busy', async () => {
    const { alice, bob } = await callPair(h)
    const first = await ring(alice, bob)
    first.b.leg.decline()
    await until(() => first.a.end !== null, 'declined')
    expect(first.a.end?.reason).toBe('declined')
    const second = await ring(alice, bob)
    second.b.leg.decline('busy')
    await until(() => second.a.end !== null, 'busy')
    expect(second.a.end?.reason).toBe('busy')
  })

  it('times out unanswered: the caller ends with timeout, the callee records a missed call', async () => {
    const { alice, bob } = await callPair(h)
    const { a, b } = await ring(alice, bob, 1_500)
    await until(() => a.end !== null && b.end !== null, 'both ended')
    expect(a.end?.reason).toBe('timeout')
    expect(b.end?.reason).toBe('missed')
    expect(b.leg.accept(false)).toBe(false)
  })

  it('ignores frames that do not fit: an accept for a call nobody made, frames of other calls, garbage', async () => {
    const { alice, bob } = await callPair(h)
    const { a, b } = await ring(alice, bob)
    bob.sendRawFrame(Buffer.from([1, 2, 3]))
    bob.sendRawFrame(Buffer.alloc(3000, 7))
    bob.sendFrame({ type: 'accept', callId: Buffer.alloc(16, 1), video: false, ephemeral: Buffer.alloc(32, 9) })
    alice.sendFrame({ type: 'accept', callId: b.leg.callId, video: false, ephemeral: Buffer.alloc(32, 9) })
    await until(() => alice.frameErrors === 2, 'garbage refused')
    expect(a.leg.phase).toBe('ringing')
    expect(b.leg.phase).toBe('ringing')
    b.leg.accept(false)
    await until(() => a.leg.phase === 'active', 'the real accept still works')
  })
})

describe('hostile datagrams', () => {
  async function activeCall(): Promise<{ alice: Side; bob: Side; a: Tracked; b: Tracked }> {
    const { alice, bob } = await callPair(h)
    const { a, b } = await ring(alice, bob)
    b.leg.accept(false)
    await until(() => a.leg.phase === 'active', 'active')
    return { alice, bob, a, b }
  }

  it('drops malformed, oversize, replayed and out-of-call datagrams, and the call goes on', async () => {
    const { alice, bob, a, b } = await activeCall()
    const captured: Buffer[] = []
    const realSend = alice.peer.stream.trySend.bind(alice.peer.stream)
    alice.peer.stream.trySend = (buffer: Buffer) => {
      captured.push(Buffer.from(buffer))
      realSend(buffer)
    }
    for (let i = 0; i < 5; i++) a.media?.send(audio(i))
    await until(() => b.packets.length === 5, 'first packets')
    alice.peer.stream.trySend = realSend
    for (const bytes of captured) realSend(bytes)
    realSend(Buffer.from([1, 2, 3]))
    realSend(Buffer.alloc(1400, 1))
    const forged = Buffer.from(captured[0])
    forged[forged.length - 1] ^= 1
    realSend(forged)
    await until(() => bob.link.drops.rejected === 6 && bob.link.drops.malformed === 2, 'replays, forgery and garbage dropped')
    a.leg.hangup()
    await until(() => b.end !== null, 'first call over')
    const second = await ring(alice, bob)
    second.b.leg.accept(false)
    await until(() => second.a.leg.phase === 'active', 'second call')
    for (const bytes of captured) realSend(bytes)
    second.a.media?.send(audio(77))
    await until(() => second.b.packets.length === 1, 'second call media')
    await until(() => bob.link.drops['no-call'] === 5, 'the first call\'s datagrams dropped in the second')
    expect(b.packets).toHaveLength(5)
    expect(second.b.packets).toHaveLength(1)
    expect(bob.link.drops.rejected).toBe(6)
  })

  it('a flood cannot grow the queue past its bound or hold up chat messages on the same connection', async () => {
    const { alice, bob, b } = await activeCall()
    const chat = (side: Side, onmessage: (n: number) => void) => {
      const channel = Protomux.from(side.peer.stream).createChannel({
        protocol: 'test/chat',
        messages: [{ encoding: c.uint, onmessage }]
      })
      if (channel === null) throw new Error('chat channel')
      channel.open()
      return channel.messages[0]
    }
    const got: number[] = []
    const aliceChat = chat(alice, () => {})
    chat(bob, (n) => got.push(n))
    let maxQueued = 0
    bob.link.on('drop', () => (maxQueued = Math.max(maxQueued, bob.link.queued)))
    const junk = Buffer.alloc(1100, 0x01)
    junk.writeUInt32LE(b.keys!.tag, 1)
    // 20,000 datagrams as fast as this process can send them: far more than the bucket's burst plus
    // its rate over any time this loop can take here, so the bounds are exercised however loaded.
    let sent = 0
    while (sent < 20_000) {
      for (let i = 0; i < 500; i++) alice.peer.stream.trySend(junk)
      sent += 500
      aliceChat.send(sent)
      await new Promise((resolve) => setImmediate(resolve))
    }
    await until(() => got.includes(sent), 'every chat message arrived during the flood')
    expect(maxQueued).toBeLessThanOrEqual(QUEUE_ITEMS)
    expect(bob.link.drops.rate + bob.link.drops.queue).toBeGreaterThan(0)
    expect(b.leg.phase).toBe('active')
  })
})

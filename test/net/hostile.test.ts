import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import Protomux, { type Channel } from 'protomux'
import c from 'compact-encoding'
import type { KeyPair, NoiseSecretStream } from 'hyperdht'
import type { ControlFrame, Peer } from '../../core/net'
import Hyperswarm from 'hyperswarm'
import { dayOf, encodeControlFrame, MAX_FRAME_BYTES, pairDays, signHello } from '../../core/net'
import { Harness, keyPair, until, type TestNode } from '../helpers/net'

/** A contact driven by hand: a raw connection with the contact's key pair and a raw control channel. */
async function rawContact(h: Harness, node: TestNode, kp: KeyPair): Promise<{ stream: NoiseSecretStream; channel: Channel; closedByRemote: Promise<void> }> {
  const stream = h.testnet!.createNode().connect(node.keyPair.publicKey, { keyPair: kp })
  stream.on('error', () => {})
  await stream.opened
  let onClose: () => void = () => {}
  const closedByRemote = new Promise<void>((resolve) => (onClose = resolve))
  let onOpen: () => void = () => {}
  const opened = new Promise<void>((resolve) => (onOpen = resolve))
  const channel = Protomux.from(stream).createChannel({
    protocol: 'cairn/control',
    handshake: c.raw,
    messages: [{ encoding: c.raw }],
    onopen: () => onOpen(),
    onclose: () => onClose()
  })
  channel!.open(signHello(kp.secretKey, stream))
  await opened
  return { stream, channel: channel!, closedByRemote }
}

const logKey = Buffer.alloc(32, 9)
const hello = encodeControlFrame({ type: 'hello', name: 'Mallory', logKey, bundle: null })

const hostile: [string, Buffer, RegExp][] = [
  ['random bytes', Buffer.from('a9f3c0d17be2554a18e0', 'hex'), /version|truncated|type/],
  ['a truncated hello', hello.subarray(0, hello.length - 5), /truncated/],
  ['an oversized frame', Buffer.concat([Buffer.from([1, 3]), Buffer.alloc(MAX_FRAME_BYTES)]), /at most/],
  ['a wrong version', Buffer.concat([Buffer.from([2]), hello.subarray(1)]), /unsupported frame version 2/],
  ['trailing bytes', Buffer.concat([hello, Buffer.from([0])]), /trailing/],
  ['a hello with a 31-byte log key', Buffer.concat([Buffer.from([1, 0, 1, 0x41]), Buffer.alloc(31)]), /truncated/],
  ['a name of invalid UTF-8', Buffer.concat([Buffer.from([1, 0, 2, 0xc3, 0x28]), logKey, Buffer.from([0])]), /UTF-8/],
  ['a name with control characters', Buffer.concat([Buffer.from([1, 0, 2, 0x41, 0x07]), logKey, Buffer.from([0])]), /control characters/]
]

describe('hostile control frames', () => {
  const h = new Harness()
  beforeEach(() => h.start())
  afterEach(() => h.stop())

  it.each(hostile)('%s closes the channel with a reason, the node and the contact carry on', async (_label, bytes, reason) => {
    const b = await h.node()
    const mallory = keyPair()
    b.setClass(mallory.publicKey, 'contact')
    const errors: [Buffer, string][] = []
    b.net.on('protocol-error', (from: Buffer, why: string) => errors.push([from, why]))
    const peerClosed: Peer[] = []
    b.net.on('peer', (peer: Peer) => peer.once('close', () => peerClosed.push(peer)))

    const first = await rawContact(h, b, mallory)
    first.channel.messages[0].send(bytes)
    await first.closedByRemote
    await until(() => errors.length === 1, 'protocol-error')
    expect(errors[0][0].equals(mallory.publicKey)).toBe(true)
    expect(errors[0][1]).toMatch(reason)
    expect(b.logs.some((line) => reason.test(line))).toBe(true)
    await until(() => peerClosed.length === 1, "the peer's close")

    // The same contact reconnects and is heard normally.
    const frames: ControlFrame[] = []
    const nextPeer = new Promise<Peer>((resolve) => b.net.once('peer', resolve))
    const second = await rawContact(h, b, mallory)
    ;(await nextPeer).on('frame', (frame: ControlFrame) => frames.push(frame))
    second.channel.messages[0].send(encodeControlFrame({ type: 'typing', typing: true }))
    await until(() => frames.length === 1, 'a valid frame after reconnecting')
    expect(frames[0]).toEqual({ type: 'typing', typing: true })
    expect(errors).toHaveLength(1)
    second.stream.destroy()
  })

  it("a frame of a kind this version does not know is skipped: the contact's next frames are heard on the same connection", async () => {
    const b = await h.node()
    const mallory = keyPair()
    b.setClass(mallory.publicKey, 'contact')
    const errors: string[] = []
    b.net.on('protocol-error', (_from: Buffer, why: string) => errors.push(why))
    const frames: ControlFrame[] = []
    const nextPeer = new Promise<Peer>((resolve) => b.net.once('peer', resolve))
    const raw = await rawContact(h, b, mallory)
    const peer = await nextPeer
    peer.on('frame', (frame: ControlFrame) => frames.push(frame))
    raw.channel.messages[0].send(Buffer.from([1, 77, 0, 1, 2, 3]))
    raw.channel.messages[0].send(encodeControlFrame({ type: 'typing', typing: true }))
    await until(() => frames.length === 1, 'the typing frame after the unknown one')
    expect(frames[0]).toEqual({ type: 'typing', typing: true })
    expect(errors).toEqual([])
    expect(peer.closed).toBe(false)
    raw.stream.destroy()
  })

  it('a contact that keeps sending garbage is reconnected to less and less often, never in a loop', async () => {
    const a = await h.node({ retry: { initialMs: 200, maxMs: 4_000 } })
    const buggy = keyPair()
    a.setClass(buggy.publicKey, 'contact')
    let errors = 0
    a.net.on('protocol-error', () => errors++)
    let connections = 0
    const [today] = pairDays(buggy, a.keyPair.publicKey, [dayOf(Date.now())])
    const swarm = new Hyperswarm({ keyPair: today.mine.keyPair, dht: h.testnet!.createNode() })
    swarm.on('connection', (stream) => {
      connections++
      stream.on('error', () => {})
      const channel = Protomux.from(stream).createChannel({
        protocol: 'cairn/control',
        handshake: c.raw,
        messages: [{ encoding: c.raw }],
        onopen: () => channel!.messages[0].send(Buffer.from([1, 0]))
      })
      channel!.open(signHello(buggy.secretKey, stream))
    })
    try {
      swarm.join(today.mine.topic, { server: true, client: false })
      swarm.join(today.theirs.topic, { server: false, client: true })
      // The step of A's re-lookup schedule as each protocol error is heard, for the log.
      const steps: number[] = []
      a.net.on('protocol-error', () => steps.push(a.net.retryDelayMs(buggy.publicKey) ?? 0))
      a.net.addContact(buggy.publicKey)
      await until(() => errors >= 6, 'six protocol errors', 40_000)
      console.log(`buggy contact: ${connections} connections, ${errors} protocol errors; retry steps ${steps.join(', ')} ms`)
      // Every connection died young, and each such death doubles the wait before the next: after
      // four or more it is 3.2 s or the cap. Reconnecting in a loop would restart it at 200 ms.
      expect(a.net.retryDelayMs(buggy.publicKey)).toBeGreaterThanOrEqual(3_200)
    } finally {
      await swarm.destroy()
    }
  }, 60_000)

  it('a hostile contact request closes the inbox channel with a reason', async () => {
    const b = await h.node()
    const errors: string[] = []
    b.net.on('protocol-error', (_from: Buffer, why: string) => errors.push(why))
    let requests = 0
    b.net.on('request', () => requests++)
    const stream = h.testnet!.createNode().connect(b.keyPair.publicKey, { keyPair: keyPair() })
    stream.on('error', () => {})
    const channel = Protomux.from(stream).createChannel({ protocol: 'cairn/inbox', messages: [{ encoding: c.raw }, { encoding: c.raw }] })
    channel!.open()
    channel!.messages[0].send(Buffer.from([1, 0, 200]))
    await until(() => errors.length === 1, 'protocol-error on the inbox')
    expect(errors[0]).toMatch(/truncated/)
    expect(requests).toBe(0)
    await until(() => stream.destroyed, 'the stranger dropped')
  })

  it('an ack nobody asked for is a protocol error', async () => {
    const b = await h.node()
    const errors: string[] = []
    b.net.on('protocol-error', (_from: Buffer, why: string) => errors.push(why))
    const stream = h.testnet!.createNode().connect(b.keyPair.publicKey, { keyPair: keyPair() })
    stream.on('error', () => {})
    const channel = Protomux.from(stream).createChannel({ protocol: 'cairn/inbox', messages: [{ encoding: c.raw }, { encoding: c.raw }] })
    channel!.open()
    channel!.messages[1].send(Buffer.from([1, 1]))
    await until(() => errors.length === 1, 'protocol-error for the ack')
    expect(errors[0]).toMatch(/ack without a request/)
    await until(() => stream.destroyed, 'the stranger dropped')
  })
})

describe('the hello that binds a connection to the contact', () => {
  const h = new Harness()
  beforeEach(() => h.start())
  afterEach(() => h.stop())

  const helloCases: [string, (kp: KeyPair, stream: NoiseSecretStream) => Buffer | undefined][] = [
    ['no hello (a node from before hellos)', () => undefined],
    ['a hello signed by another key', (_kp, stream) => signHello(keyPair().secretKey, stream)],
    ['a hello over another connection', (kp, stream) => signHello(kp.secretKey, { ...stream, handshakeHash: Buffer.alloc(64, 1), publicKey: stream.publicKey, remotePublicKey: stream.remotePublicKey })],
    ['a truncated hello', (kp, stream) => signHello(kp.secretKey, stream).subarray(0, 63)]
  ]

  it.each(helloCases)('%s: the control channel never opens and the connection is dropped', async (_label, makeHello) => {
    const b = await h.node()
    const mallory = keyPair()
    b.setClass(mallory.publicKey, 'contact')
    const errors: string[] = []
    b.net.on('protocol-error', (_from: Buffer, why: string) => errors.push(why))
    let peers = 0
    b.net.on('peer', () => peers++)
    const stream = h.testnet!.createNode().connect(b.keyPair.publicKey, { keyPair: mallory })
    stream.on('error', () => {})
    await stream.opened
    const hello = makeHello(mallory, stream)
    const channel = Protomux.from(stream).createChannel({ protocol: 'cairn/control', handshake: hello ? c.raw : null, messages: [{ encoding: c.raw }] })
    channel!.open(hello)
    await until(() => errors.length === 1, 'protocol-error for the hello')
    expect(errors[0]).toMatch(/hello does not prove its identity/)
    await until(() => stream.destroyed, 'the connection dropped')
    expect(peers).toBe(0)
  })
})

// Two Cairn Networks on a loopback testnet, connected as contacts, each with a call-frame channel on
// the real connection (Protomux, as the control channel will carry them) and a MediaLink on the same
// secret-stream. What the messenger will wire in phase B, built here from the real parts.
import c from 'compact-encoding'
import Protomux from 'protomux'
import { randomBytes } from '../../core/crypto'
import { CallLeg, type CallEnd } from '../../core/media/call-leg'
import { decodeCallFrame, encodeCallFrame, type CallFrame } from '../../core/media/call-frames'
import { MediaLink, type CallMedia } from '../../core/media/media-link'
import type { CallKeys } from '../../core/media/call-key'
import type { MediaPacket } from '../../core/media/media-packet'
import { Harness, connectPair, until, type TestNode } from '../helpers/net'
import type { Peer } from '../../core/net'

export interface Side {
  node: TestNode
  peer: Peer
  link: MediaLink
  sendFrame(frame: CallFrame): void
  frames: CallFrame[]
  /** Raw bytes sent on the call channel, for hostile tests. */
  sendRawFrame(bytes: Buffer): void
  onFrame: ((frame: CallFrame) => void) | null
  frameErrors: number
}

export function side(node: TestNode, peer: Peer): Side {
  const mux = Protomux.from(peer.stream)
  const s: Side = {
    node,
    peer,
    link: new MediaLink(peer.stream),
    frames: [],
    onFrame: null,
    frameErrors: 0,
    sendFrame: (frame) => message.send(encodeCallFrame(frame)),
    sendRawFrame: (bytes) => message.send(bytes)
  }
  const channel = mux.createChannel({
    protocol: 'test/call',
    messages: [
      {
        encoding: c.buffer,
        onmessage: (bytes: Buffer) => {
          let frame: CallFrame
          try {
            frame = decodeCallFrame(bytes)
          } catch {
            s.frameErrors++
            return
          }
          s.frames.push(frame)
          s.onFrame?.(frame)
        }
      }
    ]
  })
  if (channel === null) throw new Error('call channel already open')
  const message = channel.messages[0]
  channel.open()
  return s
}

export async function callPair(h: Harness): Promise<{ alice: Side; bob: Side }> {
  const a = await h.node()
  const b = await h.node()
  const [pa, pb] = await connectPair(a, b)
  return { alice: side(a, pa), bob: side(b, pb) }
}

export const SESSION_ID = Buffer.alloc(16, 0x5e)

export function outgoing(from: Side, to: Side, ringTimeoutMs = 30_000): CallLeg {
  return new CallLeg({
    callId: randomBytes(16),
    direction: 'outgoing',
    video: false,
    localIdentity: from.node.keyPair.publicKey,
    remoteIdentity: to.node.keyPair.publicKey,
    sessionId: SESSION_ID,
    send: from.sendFrame,
    ringTimeoutMs
  })
}

export function incoming(at: Side, from: Side, offer: Extract<CallFrame, { type: 'offer' }>, ringTimeoutMs = 30_000): CallLeg {
  return new CallLeg({
    callId: offer.callId,
    direction: 'incoming',
    video: offer.video,
    localIdentity: at.node.keyPair.publicKey,
    remoteIdentity: from.node.keyPair.publicKey,
    sessionId: SESSION_ID,
    send: at.sendFrame,
    ringTimeoutMs,
    remoteEphemeral: offer.ephemeral
  })
}

/** Routes every frame a side receives to the leg with its call id. */
export function route(s: Side, legs: () => CallLeg[]): void {
  s.onFrame = (frame) => legs().find((leg) => leg.callId.equals(frame.callId))?.receive(frame)
}

export function mediaOf(s: Side, leg: CallLeg, keys: CallKeys): CallMedia {
  const [sendKey, receiveKey] =
    leg.direction === 'outgoing' ? [keys.callerToCallee, keys.calleeToCaller] : [keys.calleeToCaller, keys.callerToCallee]
  return s.link.addCall(keys.tag, sendKey, receiveKey)
}

export interface Tracked {
  leg: CallLeg
  keys: CallKeys | null
  end: CallEnd | null
  media: CallMedia | null
  packets: MediaPacket[]
}

export function track(s: Side, leg: CallLeg): Tracked {
  const t: Tracked = { leg, keys: null, end: null, media: null, packets: [] }
  leg.on('active', (keys: CallKeys) => {
    t.keys = { ...keys, callerToCallee: Buffer.from(keys.callerToCallee), calleeToCaller: Buffer.from(keys.calleeToCaller) }
    t.media = mediaOf(s, leg, keys)
    t.media.on('packet', (p: MediaPacket) => t.packets.push(p))
  })
  leg.on('ended', (end: CallEnd) => {
    t.end = end
    if (t.keys) s.link.removeCall(t.keys.tag)
  })
  return t
}

/** Alice calls Bob; Bob's leg is made when the offer arrives. */
export async function ring(alice: Side, bob: Side, ringTimeoutMs = 30_000): Promise<{ a: Tracked; b: Tracked }> {
  const a = track(alice, outgoing(alice, bob, ringTimeoutMs))
  route(alice, () => [a.leg])
  let b: Tracked | null = null
  bob.onFrame = (frame) => {
    if (frame.type === 'offer' && b === null) b = track(bob, incoming(bob, alice, frame, ringTimeoutMs))
    else b?.leg.receive(frame)
  }
  await until(() => a.leg.phase === 'ringing', 'alice hears ringing')
  if (b === null) throw new Error('no incoming leg')
  return { a, b }
}


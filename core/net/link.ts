// One open connection to one remote key and the channels this node allows on it. A contact gets the
// control channel; a stranger gets only the inbox channel, for exactly one request. Protomux refuses
// every other channel a remote opens, because nothing else is paired here — hypercore replication
// included, until the messenger attaches it to a Peer.
import c from 'compact-encoding'
import Protomux, { type Channel } from 'protomux'
import type { NoiseSecretStream } from 'hyperdht'
import type { ContactKey } from '../identity'
import {
  ACK_FRAME,
  CONTROL_PROTOCOL,
  INBOX_PROTOCOL,
  FrameError,
  UnknownFrameType,
  decodeAckFrame,
  decodeControlFrame,
  decodeRequestFrame,
  type RequestFrame
} from './frames'
import type { ControlKind } from './frame-budget'
import { verifyHello } from './hello'
import { Peer } from './peer'
import type { PeerClass } from './types'

export interface LinkHooks {
  classify(): PeerClass
  /** Whether the contact may send a control frame of this kind now (frame-budget.ts); false drops it. */
  admitFrame(kind: ControlKind): boolean
  /** This end's hello for the connection (see hello.ts). */
  hello(): Buffer
  /** The control channel is open on both ends. */
  onPeer(peer: Peer): void
  /** A stranger's request arrived; called before the ack is sent, so the class may change in it. */
  onRequest(request: RequestFrame): void
  /** The remote acknowledged this node's request. */
  onAck(): void
  onProtocolError(reason: string): void
  onClose(): void
}

// A connection can come up on one end only: HyperDHT's holepunch hands the dialler a stream as soon
// as one probe from the remote arrives, even if the remote then gives that punch up, and the dialler
// would only learn of it at UDX's idle timeout (~14 s). A working remote sends its secret-stream
// header at once; a connection that has read nothing by this deadline is dropped and dialled again.
const SILENT_REMOTE_MS = 4_000
// A deadline that fires this much later than set means this node's event loop was held up (a long
// task, or no CPU: 50 hosts on two cores saw 4–8 s). Node runs due timers before it reads the sockets,
// so the remote's header may be waiting unread: judge again after this much more time, not at once.
const LATE_MS = 500
const RECHECK_MS = 1_000

export class Link {
  readonly openedAt = Date.now()
  peer: Peer | null = null
  private readonly mux: Protomux
  private control: Channel | null = null
  private inbox: Channel | null = null
  private requested: Channel | null = null
  private requestReceived = false
  private guestTimer: NodeJS.Timeout | null = null
  private silenceTimer: NodeJS.Timeout | null = null
  private closed = false

  constructor(
    readonly stream: NoiseSecretStream,
    readonly key: ContactKey,
    readonly lan: boolean,
    private readonly hooks: LinkHooks
  ) {
    this.mux = Protomux.from(stream)
    stream.on('error', () => {})
    stream.on('close', () => this.onStreamClose())
  }

  /** The pair swarm's own connection: its Noise key is the pair key of the day, not the identity (the inbox's). */
  get overPair(): boolean {
    return !this.stream.remotePublicKey.equals(this.key.bytes)
  }

  get remoteKey(): Buffer {
    return this.key.bytes
  }

  /** guestMs: a stranger's connection is dropped after this long unless it becomes a contact. */
  start(request: Buffer | null, guestMs: number): void {
    this.watchSilence(SILENT_REMOTE_MS)
    this.mux.pair({ protocol: CONTROL_PROTOCOL }, () => {
      if (this.hooks.classify() === 'contact') this.openControl()
    })
    this.mux.pair({ protocol: INBOX_PROTOCOL }, () => {
      if (this.hooks.classify() === 'unknown' && !this.requestReceived && this.inbox === null) this.openInbox()
    })
    if (this.hooks.classify() === 'contact') this.openControl()
    if (request !== null) this.sendRequest(request)
    else if (this.hooks.classify() !== 'contact') {
      this.guestTimer = setTimeout(() => this.destroy(), guestMs)
      this.guestTimer.unref()
    }
  }

  // Once only: under a flood of silent connections the loop may stay late, and they must still go.
  private watchSilence(ms: number, recheck = true): void {
    const due = performance.now() + ms
    this.silenceTimer = setTimeout(() => {
      this.silenceTimer = null
      if (this.stream.rawBytesRead > 0 || this.closed) return
      if (recheck && performance.now() - due > LATE_MS) this.watchSilence(RECHECK_MS, false)
      else this.destroy()
    }, ms)
    this.silenceTimer.unref()
  }

  /** The remote became a contact while connected: open the control channel on this connection. */
  promote(): void {
    this.clearGuestTimer()
    this.openControl()
  }

  /** Sends this node's request unless one is already awaiting its ack on this connection. */
  sendRequest(bytes: Buffer): void {
    if (this.requested !== null) return
    const channel = this.inbox ?? this.openInbox()
    if (channel === null) return
    this.requested = channel
    channel.messages[0].send(bytes)
  }

  /** Closes this node's request channel, if one is open. */
  cancelRequest(): void {
    if (this.requested === null) return
    this.requested.close()
    this.requested = null
  }

  destroy(): void {
    if (!this.stream.destroyed) this.stream.destroy()
  }

  // One channel carries a request each way (both ends may be asking at once) and the acks.
  private openInbox(): Channel | null {
    if (this.closed) return null
    const channel: Channel | null = this.mux.createChannel({
      protocol: INBOX_PROTOCOL,
      messages: [
        { encoding: c.raw, onmessage: (bytes: Uint8Array) => this.onRequest(channel, bytes) },
        { encoding: c.raw, onmessage: (bytes: Uint8Array) => this.onAck(channel, bytes) }
      ],
      onclose: () => {
        if (this.inbox === channel) this.inbox = null
        if (this.requested === channel) this.requested = null
      }
    })
    if (channel === null) return null
    this.inbox = channel
    channel.open()
    return channel
  }

  private onAck(channel: Channel | null, bytes: Uint8Array): void {
    try {
      if (this.requested === null || this.requested !== channel) throw new FrameError('an ack without a request')
      decodeAckFrame(bytes)
    } catch (err) {
      this.protocolError(err)
      return
    }
    this.requested = null
    this.hooks.onAck()
    this.finishInbox(channel)
  }

  private openControl(): void {
    if (this.closed || this.control !== null) return
    const channel = this.mux.createChannel({
      protocol: CONTROL_PROTOCOL,
      handshake: c.raw,
      messages: [{ encoding: c.raw, onmessage: (bytes: Uint8Array) => this.onControlMessage(bytes) }],
      onopen: (hello: unknown) => {
        if (channel === null || this.closed) return
        if (!verifyHello(hello, this.key.bytes, this.stream)) {
          this.protocolError(new FrameError("the contact's hello does not prove its identity on this connection"))
          return
        }
        this.clearGuestTimer()
        this.peer = new Peer(this.key, this.lan, this.stream, channel.messages[0])
        this.hooks.onPeer(this.peer)
      },
      onclose: () => {
        if (this.control === channel) this.control = null
        // A control channel that was open has ended: without it the connection is no use to the
        // messenger, and dropping it is what sets the reconnect going.
        if (this.peer !== null) this.destroy()
      }
    })
    if (channel === null) return
    this.control = channel
    channel.open(this.hooks.hello())
  }

  private onControlMessage(bytes: Uint8Array): void {
    if (this.peer === null || this.peer.closed) return
    let frame
    try {
      frame = decodeControlFrame(bytes)
    } catch (err) {
      // A newer peer's frame kind (a call, a group invite) is skipped, so adding a kind never cuts
      // the chat with a contact who has not upgraded.
      if (err instanceof UnknownFrameType) return
      this.protocolError(err)
      return
    }
    if (!this.hooks.admitFrame(frame.type)) return
    if (!this.peer.deliver(frame)) this.protocolError(new FrameError('frames sent faster than they are read'))
  }

  private onRequest(channel: Channel | null, bytes: Uint8Array): void {
    if (this.requestReceived) {
      this.protocolError(new FrameError('a second request on one connection'))
      return
    }
    let request: RequestFrame
    try {
      request = decodeRequestFrame(bytes)
    } catch (err) {
      this.protocolError(err)
      return
    }
    this.requestReceived = true
    // A contact's request needs no answer but the ack: the control channel is the real reply.
    if (this.hooks.classify() === 'unknown') this.hooks.onRequest(request)
    if (this.closed || channel === null) return
    channel.messages[1].send(ACK_FRAME)
    this.finishInbox(channel)
  }

  // Once neither end awaits an ack, the inbox channel is done; a stranger's connection with it, since
  // a stranger gets exactly one request and the ack. Ending (not destroying) lets the ack go out first.
  private finishInbox(channel: Channel | null): void {
    if (this.requested !== null || this.closed) return
    channel?.close()
    if (this.hooks.classify() !== 'contact' && this.peer === null) this.stream.end()
  }

  private protocolError(err: unknown): void {
    const reason = err instanceof Error ? err.message : String(err)
    this.hooks.onProtocolError(reason)
    this.control?.close()
    this.inbox?.close()
    this.destroy()
  }

  private clearGuestTimer(): void {
    if (this.guestTimer !== null) clearTimeout(this.guestTimer)
    this.guestTimer = null
  }

  private onStreamClose(): void {
    if (this.closed) return
    this.closed = true
    this.clearGuestTimer()
    if (this.silenceTimer !== null) clearTimeout(this.silenceTimer)
    this.peer?.markClosed()
    this.hooks.onClose()
  }
}

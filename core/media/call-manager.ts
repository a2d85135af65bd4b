// A node's calls: which call exists with whom, what the local user and the remotes may do to it,
// and the media of the active one. It knows nothing of Protomux or the messenger: frames leave
// through deps.sendFrame, arrive through receive(), and media rides whatever datagram stream
// deps.streamOf gives for the remote (the pair's existing connection).
//
// Policy: one call at a time (a second offer is answered 'busy'); an offer from anyone who is not
// a contact with a session never rings and gets no answer; a node that cannot take calls (the
// headless CLI) answers 'unavailable' and still reports the call, so its owner learns of it.
import { EventEmitter } from 'events'
import { randomBytes } from '../crypto'
import type { CallFrame, DeclineReason } from './call-frames'
import { CallLeg, type CallEnd, type CallPhase } from './call-leg'
import type { CallKeys } from './call-key'
import { CallStream, type CallQuality } from './call-stream'
import type { MediaFrame } from './fragments'
import { MediaLink, type DatagramStream } from './media-link'
import type { StreamKind } from './media-packet'

export const RING_TIMEOUT_MS = 45_000
export const RECONNECT_GRACE_MS = 3_000
/** Call frames kept per remote while no connection can take them (a hangup and an accept fit). */
const UNSENT_PER_REMOTE = 8
/** Ended call ids remembered, so an offer sent again over a new connection does not ring twice. */
const ENDED_REMEMBERED = 64

export interface CallInfo {
  id: string
  remote: string
  direction: 'outgoing' | 'incoming'
  video: boolean
  phase: CallPhase
  /** The four words both screens show once the call is active. */
  sas: string[] | null
}

export type CallEvent =
  | { type: 'incoming'; call: CallInfo }
  | { type: 'phase'; call: CallInfo }
  | { type: 'ended'; call: CallInfo; end: CallEnd }

export interface CallManagerDeps {
  localIdentity: Buffer
  /** The pair's active ratchet session id, or null when the remote is not a contact with a session. */
  sessionIdOf(remote: Buffer): Buffer | null
  /** Whether the remote is a contact with this ratchet session (an offer binds to the caller's). */
  hasSession(remote: Buffer, sessionId: Buffer): boolean
  sendFrame(remote: Buffer, frame: CallFrame): boolean
  /** The open connection to the remote, or null when there is none. */
  streamOf(remote: Buffer): DatagramStream | null
  canTakeCalls: boolean
  ringTimeoutMs?: number
  reconnectGraceMs?: number
}

export class CallError extends Error {
  constructor(
    readonly code: 'busy' | 'offline' | 'not-a-contact' | 'no-such-call',
    message: string
  ) {
    super(message)
    this.name = 'CallError'
  }
}

interface Entry {
  leg: CallLeg
  remote: Buffer
  video: boolean
  stream: CallStream | null
  tag: number | null
  link: MediaLink | null
  /** Its connection closed: the call ends when this fires, unless a connection takes it first. */
  orphaned: NodeJS.Timeout | null
}

/** Events: 'call' (CallEvent), 'frame' (callId, MediaFrame), 'keyframe' (callId, StreamKind), 'quality' (callId, CallQuality). */
export class CallManager extends EventEmitter {
  private readonly calls = new Map<string, Entry>()
  private readonly links = new WeakMap<DatagramStream, MediaLink>()
  /** Frames that found no connection, per remote (hex): sent when one opens within the grace. */
  private readonly unsent = new Map<string, { frame: CallFrame; at: number }[]>()
  private readonly ended: string[] = []

  constructor(private readonly deps: CallManagerDeps) {
    super()
  }

  list(): CallInfo[] {
    return [...this.calls.values()].map((e) => this.info(e))
  }

  /** Throws CallError when busy, when the remote is not a contact, or not connected. */
  start(remote: Buffer, video: boolean): CallInfo {
    if (this.calls.size > 0) throw new CallError('busy', 'already in a call')
    const sessionId = this.deps.sessionIdOf(remote)
    if (sessionId === null) throw new CallError('not-a-contact', 'only a contact can be called')
    if (this.deps.streamOf(remote) === null) throw new CallError('offline', 'the contact is not connected')
    const leg = new CallLeg({
      callId: randomBytes(16),
      direction: 'outgoing',
      video,
      localIdentity: this.deps.localIdentity,
      remoteIdentity: remote,
      sessionId,
      send: (frame) => this.send(remote, frame),
      ringTimeoutMs: this.deps.ringTimeoutMs ?? RING_TIMEOUT_MS
    })
    return this.info(this.track(leg, remote, video))
  }

  accept(callId: string, video: boolean): CallInfo {
    const entry = this.entry(callId)
    entry.video = video
    entry.leg.accept(video)
    return this.info(entry)
  }

  decline(callId: string): void {
    this.entry(callId).leg.decline('declined')
  }

  hangup(callId: string): void {
    this.entry(callId).leg.hangup('hangup')
  }

  /** Throws CallError('no-such-call') unless the call is active; RangeError for an oversize frame. */
  sendFrame(callId: string, frame: MediaFrame): void {
    const stream = this.entry(callId).stream
    if (stream === null) throw new CallError('no-such-call', 'the call is not active')
    stream.sendFrame(frame)
  }

  requestKeyframe(callId: string, kind: StreamKind): void {
    this.entry(callId).stream?.requestKeyframe(kind)
  }

  /** A call frame from a remote, already decoded. */
  receive(remote: Buffer, frame: CallFrame): void {
    const id = frame.callId.toString('hex')
    if (this.ended.includes(id)) {
      this.answerEnded(remote, frame)
      return
    }
    if (frame.type !== 'offer') {
      const entry = this.calls.get(id)
      if (entry !== undefined && entry.remote.equals(remote)) entry.leg.receive(frame)
      return
    }
    const sessionId = frame.sessionId
    if (!this.deps.hasSession(remote, sessionId) || this.calls.has(id)) return
    const leg = new CallLeg({
      callId: frame.callId,
      direction: 'incoming',
      video: frame.video,
      localIdentity: this.deps.localIdentity,
      remoteIdentity: remote,
      sessionId,
      send: (f) => this.send(remote, f),
      ringTimeoutMs: this.deps.ringTimeoutMs ?? RING_TIMEOUT_MS,
      remoteEphemeral: frame.ephemeral
    })
    const busy = this.calls.size > 0
    const entry = this.track(leg, remote, frame.video)
    this.emit('call', { type: 'incoming', call: this.info(entry) } satisfies CallEvent)
    const refuse: DeclineReason | null = busy ? 'busy' : this.deps.canTakeCalls ? null : 'unavailable'
    if (refuse !== null) leg.decline(refuse)
  }

  /**
   * A connection to the remote is up (deps.streamOf gives it). Frames that found no connection go
   * first; each call sends its last state frame again (the closing connection may have lost it);
   * calls still on another connection, or waiting after theirs closed, go on over this one with the
   * same keys, and one accepted meanwhile starts its media; an old link left with no call is closed.
   */
  connected(remote: Buffer): void {
    const datagrams = this.deps.streamOf(remote)
    if (datagrams === null) return
    this.flushUnsent(remote)
    for (const [id, entry] of this.calls) {
      if (!entry.remote.equals(remote)) continue
      if (entry.orphaned !== null) clearTimeout(entry.orphaned)
      entry.orphaned = null
      entry.leg.resend()
      if (entry.link === null || entry.tag === null) {
        if (entry.leg.keys !== null) this.startMedia(id, entry, entry.leg.keys)
        continue
      }
      const link = this.linkOf(datagrams)
      if (link === entry.link) continue
      const old = entry.link
      old.moveCall(entry.tag, link)
      entry.link = link
      if (old.calls === 0) old.close()
    }
  }

  // The remote still speaks of a call that ended here (it resent its offer, ringing or accept over
  // a new connection): the frame that ended it was lost with the old connection, so say it again,
  // or the remote's call would stay open for good. Never an answer to an end, so two ends cannot echo.
  private answerEnded(remote: Buffer, frame: CallFrame): void {
    if (frame.type === 'hangup' || frame.type === 'decline' || this.deps.sessionIdOf(remote) === null) return
    this.send(remote, { type: 'hangup', callId: frame.callId, reason: 'hangup' })
  }

  /**
   * The connection to the remote closed. Its calls, ringing or active, wait up to RECONNECT_GRACE_MS
   * for a connection to take them (the network replaces a connection by closing the old one first,
   * and a LAN link replaces an internet one mid-call): media goes nowhere meanwhile, and call frames
   * (an accept, a hangup) wait in a bounded queue. A call no connection took by then ends.
   */
  connectionLost(remote: Buffer): void {
    for (const entry of [...this.calls.values()]) {
      if (!entry.remote.equals(remote) || entry.orphaned !== null) continue
      if (entry.link !== null && entry.tag !== null) entry.link.parkCall(entry.tag)
      entry.orphaned = setTimeout(() => {
        entry.orphaned = null
        entry.leg.connectionLost()
      }, this.deps.reconnectGraceMs ?? RECONNECT_GRACE_MS)
    }
  }

  close(): void {
    for (const entry of [...this.calls.values()]) entry.leg.hangup('hangup')
  }

  /** Sends a call frame, or keeps it for the next connection to the remote when there is none. */
  private send(remote: Buffer, frame: CallFrame): boolean {
    if (this.deps.sendFrame(remote, frame)) return true
    const key = remote.toString('hex')
    const queue = this.unsent.get(key) ?? []
    queue.push({ frame, at: Date.now() })
    if (queue.length > UNSENT_PER_REMOTE) queue.shift()
    this.unsent.set(key, queue)
    return false
  }

  private flushUnsent(remote: Buffer): void {
    const key = remote.toString('hex')
    const queue = this.unsent.get(key) ?? []
    this.unsent.delete(key)
    const since = Date.now() - (this.deps.reconnectGraceMs ?? RECONNECT_GRACE_MS)
    for (const { frame, at } of queue) if (at >= since) this.deps.sendFrame(remote, frame)
  }

  private entry(callId: string): Entry {
    const entry = this.calls.get(callId)
    if (entry === undefined) throw new CallError('no-such-call', `no call ${callId}`)
    return entry
  }

  private track(leg: CallLeg, remote: Buffer, video: boolean): Entry {
    const entry: Entry = { leg, remote, video, stream: null, tag: null, link: null, orphaned: null }
    const id = leg.callId.toString('hex')
    this.calls.set(id, entry)
    leg.on('phase', (phase: CallPhase) => {
      if (phase !== 'ended') this.emit('call', { type: 'phase', call: this.info(entry) } satisfies CallEvent)
    })
    leg.on('active', (keys: CallKeys) => this.startMedia(id, entry, keys))
    leg.on('ended', (end: CallEnd) => {
      if (entry.orphaned !== null) clearTimeout(entry.orphaned)
      entry.stream?.close()
      if (entry.link !== null && entry.tag !== null) entry.link.removeCall(entry.tag)
      this.calls.delete(id)
      this.ended.push(id)
      if (this.ended.length > ENDED_REMEMBERED) this.ended.shift()
      this.emit('call', { type: 'ended', call: this.info(entry), end } satisfies CallEvent)
    })
    return entry
  }

  private startMedia(id: string, entry: Entry, keys: CallKeys): void {
    const datagrams = this.deps.streamOf(entry.remote)
    // accepted while its connection is down: the next connection starts the media (see connected)
    if (datagrams === null) return entry.orphaned === null ? entry.leg.connectionLost() : undefined
    const link = this.linkOf(datagrams)
    const outgoing = entry.leg.direction === 'outgoing'
    const media = link.addCall(
      keys.tag,
      outgoing ? keys.callerToCallee : keys.calleeToCaller,
      outgoing ? keys.calleeToCaller : keys.callerToCallee
    )
    const stream = new CallStream(media)
    stream.on('frame', (frame: MediaFrame) => this.emit('frame', id, frame))
    stream.on('keyframe', (kind: StreamKind) => this.emit('keyframe', id, kind))
    stream.on('quality', (q: CallQuality) => this.emit('quality', id, q))
    Object.assign(entry, { stream, tag: keys.tag, link })
  }

  private linkOf(datagrams: DatagramStream): MediaLink {
    let link = this.links.get(datagrams)
    if (link === undefined) {
      link = new MediaLink(datagrams)
      this.links.set(datagrams, link)
    }
    return link
  }

  private info(e: Entry): CallInfo {
    return {
      id: e.leg.callId.toString('hex'),
      remote: e.remote.toString('hex'),
      direction: e.leg.direction,
      video: e.video,
      phase: e.leg.phase,
      sas: e.leg.keys?.sas ?? null
    }
  }
}

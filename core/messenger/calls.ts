// The profile's calls, in the API's terms: a CallManager (core/media) given this profile's
// contacts, sessions and connections, its call events turned into CairnEvents, and media frames
// crossing between the API (base64) and the call's datagrams.
import { CairnError } from '../api/errors'
import type { Call, CairnEvent, CallEnd, ContactId, MediaFrame, MediaKind } from '../api/types'
import { ContactKey, type IdentityKeyPair } from '../identity'
import { CallError, CallManager, decodeCallFrame, encodeCallFrame, MediaWireError, type CallEvent, type CallInfo, type CallQuality } from '../media'
import type { MediaFrame as CoreFrame } from '../media/fragments'
import { pairCallSession } from '../protocol/topics'
import { callOutcome } from './call-history'
import type { Conversation } from './conversation'
import type { Directory } from './directory'
import type { EventSink } from './events'

export interface CallsDeps {
  identity: IdentityKeyPair
  directory: Directory
  events: EventSink
  /** False on a node with no one to ring (the headless CLI): offers are answered 'unavailable'. */
  canTakeCalls: boolean
  now: () => number
}

export class Calls {
  private readonly manager: CallManager
  private readonly pairSessions = new Map<string, Buffer>()
  /** When each call still going began (offered or rang here), for its line in the history. */
  private readonly began = new Map<string, number>()

  constructor(private readonly deps: CallsDeps) {
    const conversation = (remote: Buffer): Conversation | null => {
      const c = deps.directory.conversation(ContactKey.fromBytes(remote))
      return c && !c.record.blocked ? c : null
    }
    // A pair with a ratchet session binds its calls to it; a pair that has not exchanged a message
    // yet binds them to the id only the two can derive, so a new contact can be called at once.
    this.manager = new CallManager({
      localIdentity: deps.identity.publicKey,
      sessionIdOf: (remote) => {
        const c = conversation(remote)
        if (c === null) return null
        const sid = c.record.sessions[0]
        return sid === undefined ? this.pairSession(remote) : Buffer.from(sid, 'hex')
      },
      hasSession: (remote, sid) => {
        const c = conversation(remote)
        return c !== null && (c.record.sessions.includes(sid.toString('hex')) || sid.equals(this.pairSession(remote)))
      },
      sendFrame: (remote, frame) => conversation(remote)?.sendCallFrame(encodeCallFrame(frame)) ?? false,
      streamOf: (remote) => conversation(remote)?.peer?.stream ?? null,
      canTakeCalls: deps.canTakeCalls
    })
    const emit = (e: CairnEvent) => deps.events.emit(e)
    this.manager.on('call', (e: CallEvent) => {
      if (e.type === 'incoming') this.began.set(e.call.id, deps.now())
      if (e.type !== 'ended') return emit({ type: 'call', call: toCall(e.call) })
      emit({ type: 'call-ended', call: toCall(e.call), end: e.end })
      this.writeLine(e.call, e.end)
    })
    this.manager.on('frame', (call: string, f: CoreFrame) =>
      emit({ type: 'media', call, frame: { ...f, data: Buffer.from(f.data).toString('base64') } })
    )
    this.manager.on('keyframe', (call: string, stream: MediaKind) => emit({ type: 'keyframe-request', call, stream }))
    this.manager.on('quality', (call: string, quality: CallQuality) => emit({ type: 'call-quality', call, quality }))
  }

  /** A call frame that arrived on a contact's control channel. */
  receive(remote: Buffer, bytes: Buffer): void {
    let frame
    try {
      frame = decodeCallFrame(bytes)
    } catch (err) {
      if (err instanceof MediaWireError) return
      throw err
    }
    this.manager.receive(remote, frame)
  }

  connectionLost(remote: Buffer): void {
    this.manager.connectionLost(remote)
  }

  connected(remote: Buffer): void {
    this.manager.connected(remote)
  }

  startCall(contact: ContactId, video: boolean): Call {
    const c = this.deps.directory.require(contact)
    if (c.record.blocked) throw new CairnError('blocked', 'the contact is blocked')
    const call = this.run(() => toCall(this.manager.start(c.key.bytes, video)))
    this.began.set(call.id, this.deps.now())
    return call
  }

  acceptCall(call: string, video: boolean): Call {
    return this.run(() => toCall(this.manager.accept(call, video)))
  }

  declineCall(call: string): void {
    this.run(() => this.manager.decline(call))
  }

  hangup(call: string): void {
    this.run(() => this.manager.hangup(call))
  }

  sendMedia(call: string, frame: MediaFrame): void {
    this.run(() => this.manager.sendFrame(call, { ...frame, data: Buffer.from(frame.data, 'base64') }))
  }

  requestKeyframe(call: string, stream: MediaKind): void {
    this.run(() => this.manager.requestKeyframe(call, stream))
  }

  close(): void {
    this.manager.close()
  }

  private writeLine(info: CallInfo, end: CallEnd): void {
    const endedAt = this.deps.now()
    const startedAt = Math.min(this.began.get(info.id) ?? endedAt, endedAt)
    this.began.delete(info.id)
    const c = this.deps.directory.conversation(ContactKey.fromHex(info.remote))
    if (c === null) return
    const dir = info.direction === 'outgoing' ? 'out' : 'in'
    const line = { video: info.video, outcome: callOutcome(dir, end), durationMs: end.durationMs }
    c.changes.callLine(dir, startedAt, endedAt, line).catch((err: unknown) => this.deps.events.report(err))
  }

  private pairSession(remote: Buffer): Buffer {
    const hex = remote.toString('hex')
    let id = this.pairSessions.get(hex)
    if (id === undefined) {
      id = pairCallSession(this.deps.identity, remote)
      this.pairSessions.set(hex, id)
    }
    return id
  }

  private run<T>(fn: () => T): T {
    try {
      return fn()
    } catch (err) {
      if (err instanceof CallError) {
        const code = err.code === 'no-such-call' || err.code === 'not-a-contact' ? 'not-found' : err.code
        throw new CairnError(code, err.message)
      }
      if (err instanceof RangeError || err instanceof MediaWireError) throw new CairnError('invalid-argument', err.message)
      throw err
    }
  }
}

function toCall(info: CallInfo): Call {
  return {
    id: info.id,
    contact: ContactKey.fromHex(info.remote).id,
    direction: info.direction === 'outgoing' ? 'out' : 'in',
    video: info.video,
    phase: info.phase,
    sas: info.sas
  }
}

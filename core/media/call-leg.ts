// One call between this node and one remote: its state machine and its keys. A call is a set of
// legs so that a small mesh group call later is more legs, not a different machine.
//
//   outgoing: calling ─(ringing)→ ringing ─(accept)→ active ─(hangup)→ ended
//   incoming: ringing ─(accept())→ active ─(hangup)→ ended
// Any state ends on decline/busy (remote), hangup from either side, the ring timeout (the caller
// sends hangup 'timeout'; the callee records 'missed'), or the connection dropping ('failed').
// Frames that do not fit the state (an accept for an incoming call, a second accept) are ignored:
// the remote cannot move the machine anywhere the local user did not agree to.
import { EventEmitter } from 'events'
import type { X25519KeyPair } from '../crypto'
import { callEphemeral, deriveCallKeys, type CallKeys } from './call-key'
import type { CallFrame, DeclineReason, HangupReason } from './call-frames'

export type CallDirection = 'outgoing' | 'incoming'
export type CallPhase = 'calling' | 'ringing' | 'active' | 'ended'
export type CallEndReason = DeclineReason | HangupReason | 'missed'

export interface CallEnd {
  reason: CallEndReason
  by: 'local' | 'remote'
  /** Milliseconds the call was active (0 if it never was). */
  durationMs: number
}

export interface CallLegOptions {
  callId: Buffer
  direction: CallDirection
  video: boolean
  localIdentity: Buffer
  remoteIdentity: Buffer
  sessionId: Buffer
  send: (frame: CallFrame) => void
  ringTimeoutMs: number
  /** For an incoming leg: the ephemeral key from the offer. */
  remoteEphemeral?: Buffer
  now?: () => number
}

/** Events: 'phase' (CallPhase), 'active' (CallKeys), 'ended' (CallEnd). */
export class CallLeg extends EventEmitter {
  private state: CallPhase
  private readonly ephemeral: X25519KeyPair = callEphemeral()
  private ringTimer: NodeJS.Timeout | null = null
  private activeSince = 0
  private keyMaterial: CallKeys | null = null
  private readonly now: () => number
  /** The offer, ringing or accept this side sent last: what a new connection may have to carry again. */
  private lastSent: CallFrame | null = null

  constructor(private readonly o: CallLegOptions) {
    super()
    this.now = o.now ?? Date.now
    this.state = o.direction === 'outgoing' ? 'calling' : 'ringing'
    this.ringTimer = setTimeout(() => this.ringTimeout(), o.ringTimeoutMs)
    if (o.direction === 'outgoing') {
      this.sendState({ type: 'offer', callId: o.callId, video: o.video, ephemeral: this.ephemeral.publicKey, sessionId: o.sessionId })
    } else {
      this.sendState({ type: 'ringing', callId: o.callId })
    }
  }

  get callId(): Buffer {
    return this.o.callId
  }

  get phase(): CallPhase {
    return this.state
  }

  get direction(): CallDirection {
    return this.o.direction
  }

  get remoteIdentity(): Buffer {
    return this.o.remoteIdentity
  }

  get keys(): CallKeys | null {
    return this.keyMaterial
  }

  /** The callee answers. False unless the call is ringing here. */
  accept(video: boolean): boolean {
    if (this.o.direction !== 'incoming' || this.state !== 'ringing' || this.o.remoteEphemeral === undefined) return false
    this.sendState({ type: 'accept', callId: this.o.callId, video, ephemeral: this.ephemeral.publicKey })
    this.activate(this.o.remoteEphemeral)
    return true
  }

  decline(reason: DeclineReason = 'declined'): boolean {
    if (this.o.direction !== 'incoming' || this.state !== 'ringing') return false
    this.o.send({ type: 'decline', callId: this.o.callId, reason })
    this.end(reason, 'local')
    return true
  }

  hangup(reason: HangupReason = 'hangup'): boolean {
    if (this.state === 'ended') return false
    this.o.send({ type: 'hangup', callId: this.o.callId, reason })
    this.end(reason, 'local')
    return true
  }

  /**
   * A connection to the remote opened that may not have carried this call's last frame (the one it
   * went out on closed under it): the offer while the caller waits, ringing while the callee rings,
   * the accept once the callee took the call; an active caller its offer again, which a remote that
   * still has the call ignores and one that ended it answers with a hangup (its end may have been
   * lost with the old connection). Each is idempotent at the remote (a known call id, a phase
   * already reached).
   */
  resend(): void {
    if (this.state === 'ended' || this.lastSent === null) return
    this.o.send(this.lastSent)
  }

  /** The connection under the call is gone: nothing can be sent any more. */
  connectionLost(): void {
    if (this.state === 'ended') return
    this.end(this.state === 'active' || this.o.direction === 'outgoing' ? 'failed' : 'missed', 'remote')
  }

  /** A frame from the remote about this call. */
  receive(frame: CallFrame): void {
    if (this.state === 'ended' || !frame.callId.equals(this.o.callId)) return
    const outgoing = this.o.direction === 'outgoing'
    switch (frame.type) {
      case 'ringing':
        if (outgoing && this.state === 'calling') this.setPhase('ringing')
        return
      case 'accept':
        if (outgoing && (this.state === 'calling' || this.state === 'ringing')) this.activate(frame.ephemeral)
        return
      case 'decline':
        if (outgoing && this.state !== 'active') this.end(frame.reason, 'remote')
        return
      case 'hangup': {
        const unanswered = !outgoing && this.state === 'ringing'
        this.end(unanswered ? 'missed' : frame.reason, 'remote')
        return
      }
      case 'offer':
        return
    }
  }

  private activate(remoteEphemeral: Buffer): void {
    const outgoing = this.o.direction === 'outgoing'
    const local = { identity: this.o.localIdentity, ephemeral: this.ephemeral.publicKey }
    const remote = { identity: this.o.remoteIdentity, ephemeral: remoteEphemeral }
    const [caller, callee] = outgoing ? [local, remote] : [remote, local]
    let keys: CallKeys
    try {
      keys = deriveCallKeys(
        {
          callId: this.o.callId,
          sessionId: this.o.sessionId,
          callerIdentity: caller.identity,
          calleeIdentity: callee.identity,
          callerEphemeral: caller.ephemeral,
          calleeEphemeral: callee.ephemeral
        },
        this.ephemeral.secretKey,
        remoteEphemeral
      )
    } catch {
      this.hangup('failed')
      return
    }
    this.ephemeral.secretKey.fill(0)
    this.keyMaterial = keys
    this.activeSince = this.now()
    this.clearRing()
    this.setPhase('active')
    this.emit('active', keys)
  }

  private sendState(frame: CallFrame): void {
    this.lastSent = frame
    this.o.send(frame)
  }

  private ringTimeout(): void {
    this.ringTimer = null
    if (this.state === 'active' || this.state === 'ended') return
    if (this.o.direction === 'outgoing') this.hangup('timeout')
    else this.end('missed', 'local')
  }

  private end(reason: CallEndReason, by: CallEnd['by']): void {
    if (this.state === 'ended') return
    const durationMs = this.activeSince > 0 ? this.now() - this.activeSince : 0
    this.clearRing()
    this.ephemeral.secretKey.fill(0)
    if (this.keyMaterial !== null) {
      this.keyMaterial.callerToCallee.fill(0)
      this.keyMaterial.calleeToCaller.fill(0)
    }
    this.setPhase('ended')
    this.emit('ended', { reason, by, durationMs } satisfies CallEnd)
  }

  private clearRing(): void {
    if (this.ringTimer !== null) clearTimeout(this.ringTimer)
    this.ringTimer = null
  }

  private setPhase(phase: CallPhase): void {
    this.state = phase
    this.emit('phase', phase)
  }
}

import type { Peer } from '../net'
import type { ControlFrame } from '../net/frames'
import { decodeBundle } from '../ratchet'
import type { Conversation } from './conversation'
import type { ConversationDeps } from './deps'
import { errorText } from './events'

/** What the control channel hands back to its conversation. */
export interface ControlHooks {
  /** Replicates the pair's logs over the connection's stream. */
  replicate(stream: unknown): void
  onReceipt(kind: 'delivered' | 'read', upTo: number): Promise<void>
  onHello(frame: Extract<ControlFrame, { type: 'hello' }>): Promise<void>
  onHome(box: Buffer): Promise<void>
}

/** A conversation's connection to its contact, at most one at a time, and the control frames over it. */
export class PeerControl {
  private current: Peer | null = null

  /** Hellos are taken one at a time: each may adopt or renew their log, which the next must see. */
  private hellos: Promise<void> = Promise.resolve()

  /**
   * The last bundle that verified (the stored one counts: it verified when it was stored), so a
   * contact repeating its bundle, in prekeys or hello frames, costs no signature check.
   */
  private lastVerified: { bytes: Buffer; hex: string } | null

  constructor(
    private readonly deps: ConversationDeps,
    private readonly c: Conversation,
    private readonly hooks: ControlHooks
  ) {
    const stored = c.record.bundle
    this.lastVerified = stored ? { bytes: Buffer.from(stored, 'hex'), hex: stored } : null
  }

  get peer(): Peer | null {
    return this.current
  }

  attach(peer: Peer): void {
    const { events } = this.deps
    const replaced = this.current !== null && this.current !== peer ? this.current : null
    this.current = peer
    // a call on the old connection (or waiting since it closed) moves onto this one and goes on
    this.deps.calls.connected(this.c.key.bytes)
    replaced?.close()
    peer.on('frame', (frame: ControlFrame) => events.guard(() => this.onFrame(peer, frame)))
    peer.on('close', () => {
      if (this.current !== peer) return
      this.deps.calls.connectionLost(this.c.key.bytes)
      this.current = null
      this.c.announce()
    })
    this.c.announce()
    events.guard(() => this.greet(peer))
  }

  /** Sends a frame if connected. */
  send(frame: ControlFrame): void {
    this.current?.send(frame)
  }

  hello(logKey: Buffer | null): void {
    if (!logKey || !this.current) return
    const me = this.deps.me()
    this.current.send({ type: 'hello', name: me.name, logKey, bundle: me.bundle })
    const box = this.deps.homeBox()
    if (box) this.current.send({ type: 'home', box })
  }

  /** Their bundle as stored (hex) if it verifies against their key; a bad one is a security event. */
  verifiedBundle(bundle: Buffer): string | null {
    if (this.lastVerified?.bytes.equals(bundle)) return this.lastVerified.hex
    try {
      decodeBundle(bundle, this.c.key.bytes)
      this.lastVerified = { bytes: Buffer.from(bundle), hex: bundle.toString('hex') }
      return this.lastVerified.hex
    } catch (err) {
      this.c.security('protocol-violation', `the contact's prekey bundle is invalid: ${errorText(err)}`)
      return null
    }
  }

  /** Once my logs are open: replicate the pair's two cores over the connection and say hello. */
  private async greet(peer: Peer): Promise<void> {
    await this.c.ready()
    if (this.current !== peer || peer.closed) return
    this.hooks.replicate(peer.stream)
    this.c.sendHello()
    if (this.c.record.requested) {
      this.deps.met(this.c.key)
      await this.c.update(() => ({ requested: false }))
    }
  }

  private async onFrame(peer: Peer, frame: ControlFrame): Promise<void> {
    if (this.current !== peer) return
    switch (frame.type) {
      case 'hello': {
        const taken = this.hellos.catch(() => undefined).then(() => this.hooks.onHello(frame))
        this.hellos = taken
        return taken
      }
      case 'receipt':
        return this.hooks.onReceipt(frame.kind, frame.upTo)
      case 'typing':
        return this.deps.events.emit({ type: 'typing', contact: this.c.id, typing: frame.typing })
      case 'prekeys': {
        const verified = this.verifiedBundle(frame.bundle)
        if (verified && verified !== this.c.record.bundle) await this.c.update(() => ({ bundle: verified }))
        await this.c.sealQueued()
        return
      }
      case 'call':
        return this.deps.calls.receive(this.c.key.bytes, frame.frame)
      case 'home':
        return this.hooks.onHome(frame.box)
    }
  }
}

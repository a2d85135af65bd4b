import { EventEmitter } from 'events'
import type { NoiseSecretStream } from 'hyperdht'
import type { Message } from 'protomux'
import type { ContactKey } from '../identity'
import { encodeControlFrame, type ControlFrame } from './frames'

const MAX_BACKLOG = 256

/**
 * An open connection to a contact whose control channel is ready. Events: 'frame' (ControlFrame),
 * 'close'. The stream is shared: the messenger replicates the pair's cores over Protomux.from(stream).
 */
export class Peer extends EventEmitter {
  private open = true
  // Frames that arrive before anyone listens (the remote may speak the moment the channel opens, and
  // a 'peer' handler may attach its listener a tick later) wait here instead of being lost.
  private backlog: ControlFrame[] = []

  constructor(
    readonly key: ContactKey,
    readonly lan: boolean,
    readonly stream: NoiseSecretStream,
    private readonly message: Message
  ) {
    super()
    this.on('newListener', (event: string | symbol) => {
      if (event === 'frame' && this.backlog.length > 0) queueMicrotask(() => this.flush())
    })
  }

  get remoteKey(): Buffer {
    return this.key.bytes
  }

  get closed(): boolean {
    return !this.open
  }

  /** Queues the frame; false once the peer is closed. Throws CairnError('invalid-argument') on a bad frame. */
  send(frame: ControlFrame): boolean {
    const bytes = encodeControlFrame(frame)
    if (!this.open) return false
    this.message.send(bytes)
    return true
  }

  close(): void {
    this.stream.destroy()
  }

  /** Called by the network with each valid frame from the remote. False: the backlog is full. */
  deliver(frame: ControlFrame): boolean {
    if (!this.open) return true
    if (this.listenerCount('frame') > 0) {
      this.emit('frame', frame)
      return true
    }
    if (this.backlog.length >= MAX_BACKLOG) return false
    this.backlog.push(frame)
    return true
  }

  private flush(): void {
    while (this.backlog.length > 0 && this.open && this.listenerCount('frame') > 0) {
      this.emit('frame', this.backlog.shift())
    }
  }

  /** Called by the network when the control channel or the connection ends. */
  markClosed(): void {
    if (!this.open) return
    this.open = false
    this.backlog = []
    this.emit('close')
  }
}

import { EventEmitter } from 'events'
import type { NoiseSecretStream } from 'hyperdht'
import type { Message } from 'protomux'
import { encodeControlFrame, type ControlFrame } from './frames'

/**
 * An open connection to a contact whose control channel is ready. Events: 'frame' (ControlFrame),
 * 'close'. The stream is shared: the messenger replicates the pair's cores over Protomux.from(stream).
 */
export class Peer extends EventEmitter {
  private open = true

  constructor(
    readonly remoteKey: Buffer,
    readonly lan: boolean,
    readonly stream: NoiseSecretStream,
    private readonly message: Message
  ) {
    super()
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

  /** Called by the network when the control channel or the connection ends. */
  markClosed(): void {
    if (!this.open) return
    this.open = false
    this.emit('close')
  }
}

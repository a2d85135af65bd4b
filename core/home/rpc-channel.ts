// The `cairn/home` Protomux channel on one Noise stream: numbered requests and their replies. The
// box answers one request at a time per connection and caps how many may wait, so a peer cannot
// queue unbounded work; a frame that does not decode ends the channel (the peer is broken or hostile).
import c from 'compact-encoding'
import Protomux, { type Channel, type Message } from 'protomux'
import type { NoiseSecretStream } from 'hyperdht'
import { HomeError } from './errors'
import { decodeHomeFrame, encodeHomeFrame, HOME_PROTOCOL, type HomeReply, type HomeRequest } from './wire'

export type RequestHandler = (request: HomeRequest) => Promise<HomeReply>

export const MAX_WAITING_REQUESTS = 32
const DEFAULT_TIMEOUT_MS = 15_000

export interface ChannelEvents {
  onOpen?(): void
  onClose?(): void
  onProtocolError?(reason: string): void
  /** A reply went out (for what must happen only after the peer was answered). */
  onReplied?(request: HomeRequest, reply: HomeReply): void
}

export class HomeChannel {
  private readonly channel: Channel
  private readonly message: Message<Uint8Array>
  private readonly pending = new Map<number, { resolve(reply: HomeReply): void; reject(err: Error): void; timer: NodeJS.Timeout }>()
  private readonly queue: { id: number; request: HomeRequest }[] = []
  private nextId = 1
  private working = false
  readonly opened: Promise<boolean>

  constructor(
    readonly stream: NoiseSecretStream,
    private readonly handler: RequestHandler | null,
    private readonly events: ChannelEvents = {}
  ) {
    const mux = Protomux.from(stream)
    const channel = mux.createChannel({
      protocol: HOME_PROTOCOL,
      unique: true,
      messages: [{ encoding: c.raw, onmessage: (bytes: Uint8Array) => this.onBytes(bytes) }],
      onopen: () => events.onOpen?.(),
      onclose: () => this.onClose()
    })
    if (channel === null) throw new HomeError('unavailable', 'a home channel is already open on this connection')
    this.channel = channel
    this.message = channel.messages[0] as Message<Uint8Array>
    channel.open()
    this.opened = channel.fullyOpened()
  }

  /** Resolves with the box's reply; an error reply rejects with that HomeError. */
  request(request: HomeRequest, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<HomeReply> {
    if (this.channel.closed) return Promise.reject(new HomeError('unavailable', 'the connection to the home node is closed'))
    const id = this.nextId++
    const bytes = encodeHomeFrame({ kind: 'request', id, request })
    return new Promise<HomeReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(new HomeError('unavailable', `the home node did not answer ${request.op} in time`))
      }, timeoutMs)
      this.pending.set(id, { resolve, reject, timer })
      this.message.send(bytes)
    }).then((reply) => {
      if (reply.op === 'error') throw new HomeError(reply.code, reply.message)
      return reply
    })
  }

  close(): void {
    this.channel.close()
  }

  get closed(): boolean {
    return this.channel.closed
  }

  private onBytes(bytes: Uint8Array): void {
    let frame
    try {
      frame = decodeHomeFrame(bytes)
    } catch (err) {
      this.events.onProtocolError?.((err as Error).message)
      this.channel.close()
      return
    }
    if (frame.kind === 'reply') {
      const waiting = this.pending.get(frame.id)
      if (waiting === undefined) return
      this.pending.delete(frame.id)
      clearTimeout(waiting.timer)
      waiting.resolve(frame.reply)
      return
    }
    if (this.handler === null || this.queue.length >= MAX_WAITING_REQUESTS) {
      this.events.onProtocolError?.(this.handler === null ? 'a request to a client' : 'too many requests waiting')
      this.channel.close()
      return
    }
    this.queue.push({ id: frame.id, request: frame.request })
    void this.work()
  }

  private async work(): Promise<void> {
    if (this.working || this.handler === null) return
    this.working = true
    while (this.queue.length > 0 && !this.channel.closed) {
      const { id, request } = this.queue.shift()!
      let reply: HomeReply
      try {
        reply = await this.handler(request)
      } catch (err) {
        reply =
          err instanceof HomeError
            ? { op: 'error', code: err.code, message: err.message }
            : { op: 'error', code: 'unavailable', message: 'the home node failed to answer' }
      }
      if (this.channel.closed) continue
      this.message.send(encodeHomeFrame({ kind: 'reply', id, reply }))
      this.events.onReplied?.(request, reply)
    }
    this.working = false
  }

  private onClose(): void {
    this.queue.length = 0
    for (const [id, waiting] of this.pending) {
      clearTimeout(waiting.timer)
      waiting.reject(new HomeError('unavailable', 'the connection to the home node closed'))
      this.pending.delete(id)
    }
    this.events.onClose?.()
  }
}

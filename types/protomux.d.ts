declare module 'protomux' {
  import type { Duplex } from 'stream'

  /** A compact-encoding codec. */
  export interface Encoding<T> {
    preencode(state: unknown, value: T): void
    encode(state: unknown, value: T): void
    decode(state: unknown): T
  }

  export interface Message<T = Uint8Array> {
    send(value: T): boolean
  }

  export interface MessageSpec<T = Uint8Array> {
    encoding?: Encoding<T>
    onmessage?: (value: T, channel: Channel) => void | Promise<void>
  }

  export interface Channel {
    readonly opened: boolean
    readonly closed: boolean
    readonly protocol: string
    readonly messages: Message<any>[]
    open(handshake?: unknown): void
    close(): void
    fullyOpened(): Promise<boolean>
    cork(): void
    uncork(): void
  }

  export interface ChannelOptions {
    protocol: string
    id?: Buffer | null
    unique?: boolean
    handshake?: Encoding<unknown> | null
    messages?: MessageSpec<any>[]
    onopen?: (handshake: unknown, channel: Channel) => void
    onclose?: (isRemote: boolean, channel: Channel) => void
    ondestroy?: (channel: Channel) => void
  }

  export default class Protomux {
    constructor(stream: Duplex)
    static from(stream: Duplex): Protomux
    static isProtomux(value: unknown): boolean
    readonly stream: Duplex
    createChannel(opts: ChannelOptions): Channel | null
    pair(opts: { protocol: string; id?: Buffer | null }, notify: (id: Buffer | null) => void | Promise<void>): void
    unpair(opts: { protocol: string; id?: Buffer | null }): void
    opened(opts: { protocol: string; id?: Buffer | null }): boolean
    destroy(err?: Error): void
  }
}

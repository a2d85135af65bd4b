declare module 'multicast-dns' {
  import type { EventEmitter } from 'node:events'
  import type { RemoteInfo } from 'node:dgram'

  export interface SrvData {
    port: number
    target: string
    priority?: number
    weight?: number
  }

  /** A resource record as dns-packet decodes and encodes it; `data`'s shape follows `type`. */
  export interface Answer {
    name: string
    type: string
    class?: string
    ttl?: number
    flush?: boolean
    data: unknown
  }

  export interface Question {
    name: string
    type: string
    class?: string
  }

  export interface Packet {
    type: 'query' | 'response'
    id?: number
    flags?: number
    questions: Question[]
    answers: Answer[]
    authorities: Answer[]
    additionals: Answer[]
  }

  export interface Options {
    port?: number
    type?: 'udp4' | 'udp6'
    ip?: string
    /** The address of the interface to join the group on and send from. */
    interface?: string
    bind?: string | false
    multicast?: boolean
    loopback?: boolean
    reuseAddr?: boolean
    ttl?: number
  }

  export interface MulticastDNS extends EventEmitter {
    query(questions: Question[] | { questions: Question[] }, cb?: (err: Error | null) => void): void
    respond(
      res: Answer[] | { answers: Answer[]; additionals?: Answer[] },
      cb?: (err: Error | null) => void
    ): void
    destroy(cb?: () => void): void
    on(event: 'response' | 'query' | 'packet', listener: (packet: Packet, rinfo: RemoteInfo) => void): this
    on(event: 'ready', listener: () => void): this
    on(event: 'error' | 'warning', listener: (err: Error) => void): this
    once(event: 'ready', listener: () => void): this
    once(event: 'error', listener: (err: Error) => void): this
  }

  export default function multicastDns(opts?: Options): MulticastDNS
}

declare module 'hyperdht' {
  import { EventEmitter } from 'events'
  import type { Duplex } from 'stream'

  export interface KeyPair {
    publicKey: Buffer
    secretKey: Buffer
  }

  export interface HostPort {
    host: string
    port: number
  }

  /** @hyperswarm/secret-stream's NoiseSecretStream: an encrypted, Noise-authenticated duplex. */
  export interface NoiseSecretStream extends Duplex {
    readonly publicKey: Buffer
    readonly remotePublicKey: Buffer
    readonly isInitiator: boolean
    readonly handshakeHash: Buffer
    readonly rawBytesRead: number
    readonly rawBytesWritten: number
    readonly opened: Promise<boolean>
    userData: unknown
    setKeepAlive(ms: number): void
    sendKeepAlive(): void
    /** An unordered, unreliable datagram on the UDX connection, sealed under the Noise session; undefined when the raw stream cannot send them. */
    send(buffer: Buffer): Promise<boolean> | undefined
    trySend(buffer: Buffer): void
    on(event: 'message', listener: (buffer: Buffer) => void): this
    off(event: 'message', listener: (buffer: Buffer) => void): this
    on(event: string | symbol, listener: (...args: any[]) => void): this
    off(event: string | symbol, listener: (...args: any[]) => void): this
  }

  export interface DHTOptions {
    bootstrap?: HostPort[]
    /** dht-rpc: nodes to put in the routing table at start, without a bootstrap lookup. */
    nodes?: HostPort[]
    port?: number
    host?: string
    ephemeral?: boolean
    firewalled?: boolean
    keyPair?: KeyPair
  }

  export interface ConnectOptions {
    keyPair?: KeyPair
  }

  /** Where a handshake came from, as the DHT node that relayed it saw it (or as it arrived directly). */
  export interface ClientAddress {
    host: string
    port: number
  }

  export type ServerFirewall = (remotePublicKey: Buffer, remotePayload: unknown, clientAddress: ClientAddress) => boolean | Promise<boolean>

  export interface ServerOptions {
    firewall?: ServerFirewall
  }

  /**
   * HyperDHT 6.32.0's private announcer of a listening server (lib/announcer.js): its relay-ping loop
   * waits on _sleeper.pause(3000) between rounds; refresh() ends the loop at its next turn with a
   * fresh announce. Used by core/net/relay-pings.ts, pinned by test/net/relay-pings.test.ts.
   */
  export interface AnnouncerInternals {
    _sleeper: { pause(ms: number): Promise<void>; resume(): void }
    refresh(): void
  }

  export interface Server extends EventEmitter {
    /** Private: null until listen() has started announcing (then 'listening' is emitted). */
    readonly _announcer: AnnouncerInternals | null
    readonly closed: boolean
    listen(keyPair?: KeyPair): Promise<void>
    close(): Promise<void>
    /** Stops announcing (unannounces) and drops handshakes in progress; resume() announces again. */
    suspend(): Promise<void>
    resume(): Promise<void>
    readonly publicKey: Buffer
    /** Asked at each incoming handshake, read at that moment (so it may be replaced after creation). */
    firewall: ServerFirewall
  }

  export default class HyperDHT extends EventEmitter {
    constructor(opts?: DHTOptions)
    static keyPair(seed?: Uint8Array): KeyPair
    static hash(data: Uint8Array): Buffer
    /** dht-rpc: a persistent node that declares its own reachable host and port up front. */
    static bootstrapper(port: number, host: string, opts?: DHTOptions): HyperDHT
    /** dht-rpc: adds a node to the routing table without a lookup. */
    addNode(node: HostPort): void
    /** dht-rpc's routing table: size is how many DHT nodes this one currently knows. */
    readonly table: { readonly size: number }
    /** dht-rpc's counters: queries this node ran, requests it sent. */
    readonly stats: { queries: { active: number; total: number }; requests: { active: number; total: number } }
    /** dht-rpc's socket layer; serverSocket is the UDP socket other nodes reach this one at. */
    readonly io: { serverSocket: { address(): { host: string; port: number } } }
    /** dht-rpc: the host and port other nodes see this one at (null / 0 until known). */
    readonly host: string | null
    readonly port: number
    /** dht-rpc: the bootstrap list this node was created with, after parsing. */
    readonly bootstrapNodes: HostPort[]
    readonly defaultKeyPair: KeyPair
    readonly online: boolean
    readonly destroyed: boolean
    readonly listening: Set<Server>
    ready(): Promise<void>
    fullyBootstrapped(): Promise<void>
    address(): { host: string; port: number }
    connect(remotePublicKey: Buffer, opts?: ConnectOptions): NoiseSecretStream
    /** Who announced the topic: one reply per DHT node asked. */
    lookup(topic: Buffer): AsyncIterable<{ peers: { publicKey: Buffer }[] }>
    createServer(opts?: ServerOptions, onconnection?: (stream: NoiseSecretStream) => void): Server
    destroy(opts?: { force?: boolean }): Promise<void>
  }
}

declare module 'hyperdht/testnet.js' {
  import type HyperDHT from 'hyperdht'
  import type { DHTOptions, HostPort } from 'hyperdht'

  export interface Testnet {
    readonly nodes: HyperDHT[]
    readonly bootstrap: HostPort[]
    createNode(opts?: DHTOptions): HyperDHT
    destroy(): Promise<void>
  }

  export default function createTestnet(size?: number, opts?: { host?: string; port?: number; bootstrap?: HostPort[] }): Promise<Testnet>
}

declare module 'hyperdht/lib/messages.js' {
  import type { Encoder } from 'compact-encoding'

  /** The wire encodings of HyperDHT's requests (announce: flags, peer, refresh, signature). */
  const messages: { announce: Encoder }
  export default messages
}

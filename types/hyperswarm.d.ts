declare module 'hyperswarm' {
  import { EventEmitter } from 'events'
  import type HyperDHT from 'hyperdht'
  import type { HostPort, KeyPair, NoiseSecretStream, Server } from 'hyperdht'

  export interface PeerInfo {
    readonly publicKey: Buffer
    readonly topics: Buffer[]
    readonly client: boolean
    banned: boolean
    ban(banned: boolean): void
  }

  export interface PeerDiscoverySession {
    refresh(opts?: { client?: boolean; server?: boolean }): Promise<void>
    flushed(): Promise<boolean>
    destroy(): Promise<void>
  }

  export interface SwarmOptions {
    keyPair?: KeyPair
    bootstrap?: HostPort[]
    dht?: HyperDHT
    maxPeers?: number
    /** Return true to refuse the peer. remotePayload is null when this node is the one dialling. */
    firewall?: (remotePublicKey: Buffer, remotePayload: unknown) => boolean
  }

  export default class Hyperswarm extends EventEmitter {
    constructor(opts?: SwarmOptions)
    readonly keyPair: KeyPair
    readonly dht: HyperDHT
    readonly connections: Set<NoiseSecretStream>
    readonly peers: Map<string, PeerInfo>
    readonly destroyed: boolean
    readonly server: Server
    /** Leaves every topic. */
    clear(): Promise<unknown>
    join(topic: Buffer, opts?: { client?: boolean; server?: boolean }): PeerDiscoverySession
    leave(topic: Buffer): Promise<void>
    /** Dials this key (and redials it) until leavePeer. */
    joinPeer(publicKey: Buffer): void
    leavePeer(publicKey: Buffer): void
    listen(): Promise<void>
    flush(): Promise<boolean>
    destroy(opts?: { force?: boolean }): Promise<void>
    on(event: 'connection', listener: (stream: NoiseSecretStream, info: PeerInfo) => void): this
    on(event: 'ban', listener: (info: PeerInfo, err: Error) => void): this
    on(event: 'update', listener: () => void): this
  }
}

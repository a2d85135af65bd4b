declare module 'hypercore' {
  import { EventEmitter } from 'node:events'

  export interface HypercoreKeyPair {
    publicKey: Buffer
    secretKey: Buffer
  }

  export interface GetOptions {
    wait?: boolean
    timeout?: number
    valueEncoding?: string
  }

  export interface Download {
    done(): Promise<void>
    destroy(): void
  }

  export default class Hypercore extends EventEmitter {
    constructor(storage: string, key?: Buffer | null, opts?: Record<string, unknown>)
    readonly key: Buffer | null
    readonly discoveryKey: Buffer | null
    readonly keyPair: HypercoreKeyPair | null
    readonly length: number
    readonly contiguousLength: number
    /** The peers replicating this core now, each with what it says it holds. */
    readonly peers: { remotePublicKey: Buffer; remoteLength: number; remoteContiguousLength: number }[]
    /** Bytes in the blocks up to length, whether stored here or not. */
    readonly byteLength: number
    readonly fork: number
    readonly writable: boolean
    readonly readable: boolean
    readonly opened: boolean
    readonly closed: boolean
    ready(): Promise<void>
    close(): Promise<void>
    append(block: Buffer | Buffer[]): Promise<{ length: number; byteLength: number }>
    get(index: number, opts?: GetOptions): Promise<Buffer | null>
    has(start: number, end?: number): Promise<boolean>
    update(opts?: { wait?: boolean }): Promise<boolean>
    download(range?: { start?: number; end?: number; linear?: boolean }): Download
    truncate(length: number, fork?: number): Promise<void>
    /** Deletes the stored blocks in [start, end) from disk; the tree (and so the length) stays. */
    clear(start: number, end?: number): Promise<void>
    replicate(stream: unknown, opts?: Record<string, unknown>): unknown
    findingPeers(): () => void
    on(event: 'append' | 'close' | 'ready', listener: () => void): this
    on(event: 'truncate', listener: (ancestors: number, forkId: number) => void): this
    on(event: 'conflict', listener: (length: number, fork: number, proof: unknown) => void): this
    on(event: 'verification-error', listener: (err: Error) => void): this
    on(event: 'peer-add' | 'peer-remove', listener: (peer: unknown) => void): this
    on(event: string, listener: (...args: any[]) => void): this
  }
}

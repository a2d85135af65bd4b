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

  /** hypercore-storage over one RocksDB; opaque here. */
  export interface CoreStorage {
    readonly path: string
  }

  /** RocksDB column family options hypercore-storage passes on. */
  export interface StorageOptions {
    /** Bytes of one memtable (RocksDB's default: 64 MiB). */
    writeBufferSize?: number
    /** Flush and compaction threads (RocksDB's default here: 6). */
    maxBackgroundJobs?: number
    /** false: no block cache (RocksDB's default is a 32 MiB LRU cache of table blocks). */
    blockCache?: boolean
    /** Index and filter blocks in the block cache (true, hypercore-storage's default) or with each table's reader; must be false without a block cache. */
    tableCacheIndexAndFilterBlocks?: boolean
  }

  export default class Hypercore extends EventEmitter {
    constructor(storage: string | CoreStorage, key?: Buffer | null, opts?: Record<string, unknown>)
    /** The storage `new Hypercore(dir)` or `new Corestore(dir)` would make, with engine options. */
    static defaultStorage(directory: string, opts?: StorageOptions): CoreStorage
    /** A Noise-encrypted stream that cores can be replicated over, one by one. */
    static createProtocolStream(isInitiator: boolean): import('node:stream').Duplex
    /** The core key of the default single-signer manifest for this public key (the key a core written with it has). */
    static key(manifestOrPublicKey: Buffer): Buffer
    readonly key: Buffer | null
    readonly discoveryKey: Buffer | null
    readonly keyPair: HypercoreKeyPair | null
    readonly length: number
    /** The peers replicating this core now, each with what it says it holds. */
    readonly peers: { remotePublicKey: Buffer; remoteLength: number; remoteContiguousLength: number }[]
    readonly byteLength: number
    readonly contiguousLength: number
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
    /**
     * [index, offset within it] of the block holding this byte of the log, from the signed Merkle
     * tree; tree nodes missing here are fetched from a peer, blocks never are.
     */
    seek(bytes: number, opts?: GetOptions): Promise<[number, number]>
    download(range?: { start?: number; end?: number; linear?: boolean }): Download
    truncate(length: number, fork?: number): Promise<void>
    /** Drops the local copy of blocks [start, end); the core's length and proofs stay. */
    clear(start: number, end?: number): Promise<unknown>
    session(opts?: Record<string, unknown>): Hypercore
    replicate(stream: unknown, opts?: Record<string, unknown>): unknown
    findingPeers(): () => void
    on(event: 'append' | 'close' | 'ready', listener: () => void): this
    on(event: 'truncate', listener: (ancestors: number, forkId: number) => void): this
    on(event: 'conflict', listener: (length: number, fork: number, proof: unknown) => void): this
    on(event: 'verification-error', listener: (err: Error) => void): this
    on(event: 'peer-add' | 'peer-remove', listener: (peer: unknown) => void): this
    on(event: 'download' | 'upload', listener: (index: number, byteLength: number, from: unknown) => void): this
    on(event: string, listener: (...args: any[]) => void): this
  }
}

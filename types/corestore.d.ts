declare module 'corestore' {
  import type Hypercore from 'hypercore'
  import type { HypercoreKeyPair } from 'hypercore'

  export interface CorestoreOptions {
    primaryKey?: Buffer
    /** Required by corestore when primaryKey is passed, to acknowledge that the caller guards it. */
    unsafe?: boolean
    /** Opens a storage folder copied from elsewhere (corestore refuses a moved one by default). */
    allowBackup?: boolean
    /** One cache bound shared by every Hyperbee on the store's cores (each has its own 65,536 entries without it). */
    globalCache?: import('rache').default
  }

  export interface CoreOptions {
    name?: string
    key?: Buffer
    /** Opens a core already in the store by its discovery key. */
    discoveryKey?: Buffer
    keyPair?: HypercoreKeyPair
    exclusive?: boolean
    valueEncoding?: string
  }

  export interface CompactOptions {
    bottommostLevelCompaction?: number
    blobGarbageCollectionPolicy?: number
    blobGarbageCollectionAgeCutoff?: number
  }

  /** The RocksDB under every core of the store (hypercore-storage). */
  export interface CorestoreDb {
    flush(): Promise<void>
    compactRange(start: null, end: null, opts: CompactOptions): Promise<void>
  }

  export default class Corestore {
    constructor(storage: string | import('hypercore').CoreStorage, opts?: CorestoreOptions)
    readonly primaryKey: Buffer | null
    readonly storage: { db: CorestoreDb }
    ready(): Promise<void>
    close(): Promise<void>
    get(opts: CoreOptions): Hypercore
    namespace(name: string): Corestore
    createKeyPair(name: string): Promise<HypercoreKeyPair>
    /** A Noise-encrypted replication stream for every core in the store (tests and tools). */
    replicate(isInitiator: boolean): import('node:stream').Duplex
    /** The discovery keys of every core in the store. */
    list(): AsyncIterable<Buffer>
  }
}

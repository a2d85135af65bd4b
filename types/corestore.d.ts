declare module 'corestore' {
  import type Hypercore from 'hypercore'
  import type { HypercoreKeyPair } from 'hypercore'

  export interface CorestoreOptions {
    primaryKey?: Buffer
    /** Required by corestore when primaryKey is passed, to acknowledge that the caller guards it. */
    unsafe?: boolean
  }

  export interface CoreOptions {
    name?: string
    key?: Buffer
    keyPair?: HypercoreKeyPair
    exclusive?: boolean
    valueEncoding?: string
  }

  export default class Corestore {
    constructor(storage: string, opts?: CorestoreOptions)
    readonly primaryKey: Buffer | null
    ready(): Promise<void>
    close(): Promise<void>
    get(opts: CoreOptions): Hypercore
    namespace(name: string): Corestore
    createKeyPair(name: string): Promise<HypercoreKeyPair>
    /** A replication stream for every core open in this store (and those the remote asks for that it has). */
    replicate(isInitiator: boolean): import('node:stream').Duplex
  }
}

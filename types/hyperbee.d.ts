declare module 'hyperbee' {
  import type Hypercore from 'hypercore'

  export interface BeeOptions {
    keyEncoding?: 'binary' | 'utf-8'
    valueEncoding?: 'binary' | 'utf-8'
  }

  export interface BeeNode {
    seq: number
    key: Buffer
    value: Buffer
  }

  export interface RangeOptions {
    gt?: Buffer
    gte?: Buffer
    lt?: Buffer
    lte?: Buffer
    reverse?: boolean
    limit?: number
  }

  export interface BeeBatch {
    put(key: Buffer, value: Buffer): Promise<void>
    del(key: Buffer): Promise<void>
    get(key: Buffer): Promise<BeeNode | null>
    flush(): Promise<void>
    close(): Promise<void>
  }

  export default class Hyperbee {
    constructor(core: Hypercore, opts?: BeeOptions)
    readonly core: Hypercore
    readonly version: number
    ready(): Promise<void>
    close(): Promise<void>
    get(key: Buffer): Promise<BeeNode | null>
    put(key: Buffer, value: Buffer): Promise<void>
    del(key: Buffer): Promise<void>
    batch(): BeeBatch
    createReadStream(range?: RangeOptions): AsyncIterable<BeeNode>
  }
}

declare module 'hyperblobs' {
  import type Hypercore from 'hypercore'
  import type { Writable } from 'node:stream'

  /** Where a blob sits in its core: blocks [blockOffset, blockOffset + blockLength). */
  export interface BlobId {
    blockOffset: number
    blockLength: number
    byteOffset: number
    byteLength: number
  }

  /** A streamx Writable: each written buffer becomes one block; `id` is final once it closes. */
  export interface BlobWriteStream extends Writable {
    readonly id: BlobId
  }

  export default class Hyperblobs {
    constructor(core: Hypercore, opts?: { blockSize?: number })
    readonly core: Hypercore
    readonly key: Buffer | null
    ready(): Promise<void>
    close(): Promise<void>
    put(blob: Buffer, opts?: { blockSize?: number }): Promise<BlobId>
    get(id: BlobId, opts?: { wait?: boolean; timeout?: number; start?: number; length?: number }): Promise<Buffer | null>
    clear(id: BlobId): Promise<unknown>
    createWriteStream(): BlobWriteStream
    createReadStream(id: BlobId, opts?: { wait?: boolean; timeout?: number }): AsyncIterable<Buffer>
  }
}

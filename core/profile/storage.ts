// The storage engine under a profile's Corestore, with its memory bounded whatever the data's size.
// - Write buffer: RocksDB keeps writes in a memtable until it is full, 64 MiB per memtable by
//   default and up to two of them, so moving a large file used to grow the process by over 100 MB.
//   4 MiB holds 64 sealed chunks and several thousand messages; what a smaller one costs is more,
//   smaller flushes. One buffer serves every core of the profile, the blob stores included.
// - Block cache: off. RocksDB's default is a 32 MiB LRU cache of table blocks that fills with
//   whatever was read and stays full: receiving a 2 GiB file filled it (31 MiB) and was most of
//   the receiver's growth (72 MB against 37 MB without it, bench/files.bench.ts), and reading a
//   large history at unlock fills it the same way. Chunks live in blob files, which it never held;
//   the table blocks it would keep are re-read from the OS page cache instead, and the index and
//   filter blocks stay with each table's reader (RocksDB refuses to keep them in a cache that is off).
// - Hyperbee caches: each Hyperbee keeps up to 65,536 decoded keys and nodes unless the store
//   gives it a cache to share. Reading the history of 100,000 messages at unlock (the search index's
//   rebuild) filled them with ~45 MB of heap and ~18 MB of buffers that stayed (bench/messaging.bench.ts);
//   one bound for the whole profile keeps the B-tree's upper levels and recent nodes.
import { join } from 'node:path'
import type { CorestoreOptions } from 'corestore'
import Hypercore, { type CoreStorage } from 'hypercore'
import Rache from 'rache'

export const PROFILE_WRITE_BUFFER_BYTES = 4 * 1024 * 1024
export const PROFILE_BACKGROUND_JOBS = 2
export const PROFILE_BEE_CACHE_ENTRIES = 2048

/** The RocksDB folder that storage keeps in the cores folder. */
export function storageDbDir(coresDir: string): string {
  return join(coresDir, 'db')
}

/** Storage for `new Corestore(…)` in the profile's cores folder. */
export function profileStorage(coresDir: string): CoreStorage {
  return Hypercore.defaultStorage(coresDir, {
    writeBufferSize: PROFILE_WRITE_BUFFER_BYTES,
    maxBackgroundJobs: PROFILE_BACKGROUND_JOBS,
    blockCache: false,
    tableCacheIndexAndFilterBlocks: false
  })
}

/** Options for the profile's Corestore: the one Hyperbee cache bound of the profile. */
export function profileStoreOptions(): CorestoreOptions {
  return { globalCache: new Rache({ maxSize: PROFILE_BEE_CACHE_ENTRIES }) }
}

// Making removed data leave the disk. Corestore keeps every core in one RocksDB: clearing a core's
// blocks writes tombstones, and the bytes stay in the write-ahead log and SST files until a flush
// and a forced compaction of the bottom level (blob files included) rewrite them away. Measured
// here: without the compaction the cleared blocks are still found in the raw files; with it, not.
import type Corestore from 'corestore'
import type Hypercore from 'hypercore'

const BOTTOMMOST_FORCE = 2
const BLOB_GC_FORCE = 1

/** Removes every block of the core from its storage (the core itself, its key and tree stay). */
export async function clearCore(core: Hypercore): Promise<void> {
  await core.ready()
  if (core.length > 0) await core.clear(0, core.length)
}

/** Flushes the memtable and rewrites every level, so cleared and overwritten bytes are gone from the files. */
export async function compactStorage(corestore: Corestore): Promise<void> {
  const db = corestore.storage.db
  await db.flush()
  await db.compactRange(null, null, {
    bottommostLevelCompaction: BOTTOMMOST_FORCE,
    blobGarbageCollectionPolicy: BLOB_GC_FORCE,
    blobGarbageCollectionAgeCutoff: 1
  })
}

// The storage engine under a profile's Corestore. RocksDB keeps writes in a memtable until it is
// full: 64 MiB per memtable by default, up to two of them, so moving a large file used to grow the
// process by over 100 MB whatever the file's size, and the memtable is the one place a transfer's
// bytes pile up in memory (chunks go on to blob files once flushed). A smaller write buffer caps
// that; what it costs is more, smaller flushes (see bench/files.bench.ts for both figures). One
// buffer serves every core of the profile, the blob stores included: 4 MiB holds 64 sealed chunks
// and several thousand messages.
import Hypercore, { type CoreStorage } from 'hypercore'

export const PROFILE_WRITE_BUFFER_BYTES = 4 * 1024 * 1024
export const PROFILE_BACKGROUND_JOBS = 2

/** Storage for `new Corestore(…)` in the profile's cores folder. */
export function profileStorage(coresDir: string): CoreStorage {
  return Hypercore.defaultStorage(coresDir, { writeBufferSize: PROFILE_WRITE_BUFFER_BYTES, maxBackgroundJobs: PROFILE_BACKGROUND_JOBS })
}

// RocksDB starts a new info log (LOG) at every open and keeps the former ones as LOG.old.<time>, up
// to 1,000 of them: its keep_log_file_num, which rocksdb-native does not let us set. Each holds the
// options dump and the compactions of one run, about 45 KB, so an app opened a few times a day, or a
// home node restarted by its unit, piles up tens of MB of them that nobody reads. Before each open,
// the newest few are kept (enough to read what happened before a crash) and the rest deleted.
import { readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'

/** Former info logs kept before an open (which then sets the last run's log aside as one more). */
export const KEPT_INFO_LOGS = 4

const FORMER = /^LOG\.old\.(\d+)$/

/** Deletes all but the newest `keep` former info logs in a RocksDB folder (a folder not there yet is fine). */
export async function pruneInfoLogs(dbDir: string, keep = KEPT_INFO_LOGS): Promise<number> {
  const names = await readdir(dbDir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[]
    throw err
  })
  const former = names
    .map((name) => ({ name, at: FORMER.exec(name)?.[1] }))
    .filter((f): f is { name: string; at: string } => f.at !== undefined)
    .sort((a, b) => (BigInt(b.at) > BigInt(a.at) ? 1 : -1))
  const gone = former.slice(keep)
  await Promise.all(gone.map((f) => rm(join(dbDir, f.name), { force: true })))
  return gone.length
}

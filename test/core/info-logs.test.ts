// RocksDB keeps up to 1,000 former info logs (one per open) unless we prune them: a profile opened
// again and again keeps only the newest few, and loses nothing of its own.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { KEPT_INFO_LOGS, pruneInfoLogs } from '../../core/profile/info-logs'
import { profileLayout } from '../../core/profile/layout'
import { storageDbDir } from '../../core/profile/storage'
import { Messengers } from '../helpers/messengers'

const fx = new Messengers('info-logs')
afterEach(() => fx.cleanup())

const former = async (dir: string) => (await readdir(dir)).filter((n) => n.startsWith('LOG.old.'))

describe('RocksDB info logs', () => {
  it('keep the newest former logs by their time, and leave every other file alone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-info-logs-'))
    try {
      // times of different lengths: sorted as numbers, not as text
      const times = [9, 10, 11, 1796195599445267, 1796195626409045, 1796195667924354, 99999999999999999n]
      for (const t of times) await writeFile(join(dir, `LOG.old.${t}`), 'x')
      for (const name of ['LOG', 'CURRENT', 'MANIFEST-000192', '000071.sst', 'LOG.old.notatime']) await writeFile(join(dir, name), 'x')
      expect(await pruneInfoLogs(dir, 3)).toBe(4)
      expect((await former(dir)).sort()).toEqual(['LOG.old.1796195626409045', 'LOG.old.1796195667924354', 'LOG.old.99999999999999999', 'LOG.old.notatime'])
      expect(await readdir(dir)).toEqual(expect.arrayContaining(['LOG', 'CURRENT', 'MANIFEST-000192', '000071.sst']))
      expect(await pruneInfoLogs(join(dir, 'missing'))).toBe(0)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('stay few however often a profile opens, and the profile keeps its messages', async () => {
    const a = await fx.create('Alice')
    const b = await fx.create('Bob')
    await a.m.addContact(b.m.id, 'Bob')
    await fx.close(b)
    await a.m.send(b.m.id, 'still here')
    let node = a
    const db = storageDbDir(profileLayout(a.dir).cores)
    for (let i = 0; i < KEPT_INFO_LOGS + 4; i++) {
      await fx.close(node)
      node = await fx.reopen(node)
    }
    // the kept ones, and the log of the run before this one, which the open just set aside
    expect((await former(db)).length).toBe(KEPT_INFO_LOGS + 1)
    expect(await readdir(db)).toContain('LOG')
    const page = await node.m.history(b.m.id, { limit: 10 })
    expect(page.messages.map((m) => m.text)).toEqual(['still here'])
  })
})

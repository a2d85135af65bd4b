import Corestore from 'corestore'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { BlobStore } from '../../core/blobs'
import { openCorestore, replicateTo, serveReplication, tempDir, writePattern } from '../helpers/blobs'

it('a node that holds only the sealed blocks (a home node) serves the file to the contact after the sender left, and cannot read it', async () => {
  const tmp = await tempDir()
  const stores: Corestore[] = []
  const store = (name: string): Corestore => {
    const cs = openCorestore(join(tmp.dir, name))
    stores.push(cs)
    return cs
  }
  try {
    const alice = store('alice')
    const own = await BlobStore.openOwn(alice, Buffer.alloc(32, 1))
    const bytes = await writePattern(join(tmp.dir, 'f'), 12 * 64 * 1024 + 17, 9)
    const d = await own.putFile(join(tmp.dir, 'f'), { name: 'f' })

    // The home node knows the store's key, never the file's key: it mirrors blocks.
    const home = store('home')
    const fromAlice = await serveReplication(alice)
    replicateTo(home, fromAlice.port)
    const mirror = home.get({ key: d.core })
    await mirror.ready()
    await mirror.download({ start: d.blob.blockOffset, end: d.blob.blockOffset + d.blob.blockLength }).done()
    await fromAlice.close()
    await alice.close()

    for (let i = 0; i < d.blob.blockLength - 1; i++) {
      const block = (await mirror.get(d.blob.blockOffset + i, { wait: false }))!
      expect(block.includes(bytes.subarray(i * 65536 + 100, i * 65536 + 132))).toBe(false)
    }

    const bob = store('bob')
    const fromHome = await serveReplication(home)
    replicateTo(bob, fromHome.port)
    const theirs = await BlobStore.openPeer(bob, d.core)
    const path = await theirs.save(d, tmp.dir, { maxBytes: 1 << 30 }, { timeout: 10_000 })
    expect((await readFile(path)).equals(bytes)).toBe(true)
    await fromHome.close()
  } finally {
    for (const cs of stores) await cs.close().catch(() => undefined)
    await tmp.cleanup()
  }
})

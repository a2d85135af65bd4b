// A download between two Cairn nodes that is cut half-way by killing the receiver (SIGKILL, no
// cleanup) and asked for again after a restart: what had been stored is kept, so no more than one
// chunk the receiver held travels again, and the saved file is the sender's byte for byte. The
// sender runs in this process so every chunk its blob core uploads can be counted; what the
// receiver held is read from its storage between the kill and the restart. Chunks that were in
// flight when it died (sent, never stored) travel again too: the log says how many.
import { createHash } from 'node:crypto'
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import type { Message, Profile } from '../../core/api/types'
import { useChildNodes, type ChildNode } from '../helpers/child-process'
import { Fixture, PASS, waitFor } from '../helpers/core'
import { chunksHeld, ownBlobCore, writePattern } from '../helpers/blobs'

const f = new Fixture()
const nodes = useChildNodes(f)
const CHUNKS = 800
const CHUNK = 64 * 1024

function offer(b: ChildNode, name: string): Message | undefined {
  for (const e of b.events) if (e.type === 'message' && e.message.direction === 'in' && e.message.file?.name === name) return e.message
  return undefined
}

it(`a receiver killed half-way through a ${CHUNKS}-chunk download resumes after a restart, re-fetching at most one chunk`, async () => {
  const a = await f.host()
  const aId = (await a.host.create('Alice', PASS)).id
  const bDir = await f.dir()
  let b = await nodes.spawn(bDir)
  const bId = (await b.call<Profile>('create', 'Bob', PASS)).id
  await a.host.addContact(bId, 'Bob')
  await b.call('addContact', aId, 'Alice')
  await waitFor('both online', async () => (await a.host.contacts())[0]?.presence !== 'offline', 60_000)

  const dir = await f.dir()
  const bytes = await writePattern(join(dir, 'film.bin'), CHUNKS * CHUNK - 3, 9)
  await a.host.sendFile(bId, join(dir, 'film.bin'))
  await waitFor('B is offered the film', () => offer(b, 'film.bin') !== undefined, 60_000)
  const msg = offer(b, 'film.bin')!

  // Each chunk the sender uploads, by block index, in the run it went out in.
  const runs: number[][] = [[], []]
  let run = 0
  ownBlobCore(a.host, bId).on('upload', (index: number) => runs[run].push(index))
  const download = b.call('downloadFile', aId, msg.id).catch(() => 'killed')
  await waitFor('half the film has gone out', () => runs[0].length >= CHUNKS / 2, 120_000)
  await nodes.kill(b)
  expect(await download).toBe('killed')
  const sentBefore = runs[0].length
  run = 1
  const held = await chunksHeld(bDir, ownBlobCore(a.host, bId).key!)

  b = await nodes.spawn(bDir)
  await b.call('unlock', PASS)
  expect((await b.call<{ state: string }>('fileInfo', aId, msg.id)).state, 'not complete before the restart').toBe('offered')
  await b.call('downloadFile', aId, msg.id)
  const out = join(dir, 'out')
  await mkdir(out)
  const saved = await b.call<string>('saveFile', aId, msg.id, out)
  const digest = (buf: Buffer) => createHash('sha256').update(buf).digest('hex')
  expect(digest(await readFile(saved))).toBe(digest(bytes))

  const first = new Set(runs[0])
  const twice = runs[1].filter((i) => first.has(i))
  const refetched = runs[1].filter((i) => held.has(i))
  console.log(
    `killed after ${sentBefore} of ${CHUNKS} chunks had gone out (${((sentBefore / CHUNKS) * 100).toFixed(0)} %), ${held.size} of them ` +
      `stored by the receiver; after the restart ${runs[1].length} went out: ${refetched.length} it had stored, ` +
      `${twice.length} sent a second time in all (the rest were in flight when it died)`
  )
  expect(held.size, 'about half had arrived').toBeGreaterThan(CHUNKS / 4)
  expect(new Set([...runs[0], ...runs[1]]).size, 'every chunk went out').toBe(CHUNKS)
  expect(refetched.length, 'chunks the receiver already held that travelled again').toBeLessThanOrEqual(1)
}, 240_000)

import { spawn } from 'node:child_process'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { BlobStore, encodeDescriptor } from '../../core/blobs'
import { hashFile, openCorestore, serveReplication, tempDir, writePattern } from '../helpers/blobs'
import type Corestore from 'corestore'

const CHILD = new URL('./receiver-child.ts', import.meta.url).pathname
const CHUNKS = 200

interface Run {
  stored: number
  fetched: number[]
  saved: string | null
  signal: string | null
}

function runReceiver(args: string[]): Promise<Run> {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
  const run: Run = { stored: -1, fetched: [], saved: null, signal: null }
  createInterface({ input: proc.stdout }).on('line', (line) => {
    const msg = JSON.parse(line) as { stored?: number; fetched?: number; saved?: string }
    if (msg.stored !== undefined) run.stored = msg.stored
    if (msg.fetched !== undefined) run.fetched.push(msg.fetched)
    if (msg.saved !== undefined) run.saved = msg.saved
  })
  const timer = setTimeout(() => proc.kill('SIGKILL'), 60_000)
  return new Promise((resolve) =>
    proc.once('close', (_code, signal) => {
      clearTimeout(timer)
      run.signal = signal
      resolve(run)
    })
  )
}

let tmp: Awaited<ReturnType<typeof tempDir>>
let sender: Corestore
beforeEach(async () => {
  tmp = await tempDir()
  sender = openCorestore(join(tmp.dir, 'sender'))
})
afterEach(async () => {
  await sender.close()
  await tmp.cleanup()
})

it('a receiver killed half-way through resumes after a restart and re-fetches at most one chunk', async () => {
  const own = await BlobStore.openOwn(sender, Buffer.alloc(32, 3))
  const src = join(tmp.dir, 'movie.bin')
  await writePattern(src, CHUNKS * 64 * 1024 - 5)
  const d = await own.putFile(src, { name: 'movie.bin', mediaType: 'video/mp4' })
  const server = await serveReplication(sender)
  const out = join(tmp.dir, 'out')
  await import('node:fs/promises').then((fs) => fs.mkdir(out))
  const args = [join(tmp.dir, 'receiver'), String(server.port), encodeDescriptor(d).toString('hex'), out]
  try {
    const first = await runReceiver([...args, String(CHUNKS / 2)])
    expect(first.signal).toBe('SIGKILL')
    expect(first.fetched.length).toBe(CHUNKS / 2)
    expect(first.saved).toBeNull()

    const second = await runReceiver([...args, '0'])
    expect(second.signal).toBeNull()
    console.log(`killed after ${first.fetched.length} of ${CHUNKS} chunks reported; ${second.stored} were on disk after the restart`)
    expect(second.stored).toBeGreaterThanOrEqual(CHUNKS / 2 - 1)
    expect(first.fetched.length - second.stored).toBeLessThanOrEqual(1)
    expect(second.stored + second.fetched.length).toBe(CHUNKS)
    const refetched = second.fetched.filter((i) => first.fetched.includes(i))
    expect(refetched.length).toBeLessThanOrEqual(1)

    expect(second.saved).toBe(join(out, 'movie.bin'))
    expect((await hashFile(second.saved!)).equals(d.hash)).toBe(true)
    expect(await readdir(out)).toEqual(['movie.bin'])
  } finally {
    await server.close()
  }
})

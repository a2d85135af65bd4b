import Corestore from 'corestore'
import { createReadStream } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, connect, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type Hypercore from 'hypercore'
import { blake2bStream } from '../../core/crypto'
import type { CairnHost } from '../../core/host/host'
import { messengerOf } from './tamper'

/** A temp folder removed by the returned cleanup. */
export async function tempDir(prefix = 'cairn-blobs-'): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) }
}

/** Deterministic, incompressible-looking bytes (a counter-driven xorshift), so tests need no fixtures for content. */
export function patternBytes(n: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(n)
  let x = (seed * 2654435761) >>> 0 || 1
  for (let i = 0; i < n; i++) {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    out[i] = x & 0xff
  }
  return out
}

export async function writePattern(path: string, n: number, seed = 1): Promise<Buffer> {
  const bytes = patternBytes(n, seed)
  await writeFile(path, bytes)
  return bytes
}

export async function hashFile(path: string): Promise<Buffer> {
  const h = blake2bStream(32)
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer)
  return h.digest()
}

export function openCorestore(dir: string): Corestore {
  return new Corestore(dir)
}

/** The sender's side of a loopback TCP link: every connection replicates `store` (Noise-encrypted by corestore). */
export async function serveReplication(store: Corestore): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>()
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => undefined)
    const stream = store.replicate(false)
    stream.on('error', () => undefined)
    socket.pipe(stream).pipe(socket)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      })
  }
}

/** The receiver's side: replicates `store` over a TCP connection to 127.0.0.1:port. */
export function replicateTo(store: Corestore, port: number): Socket {
  const socket = connect(port, '127.0.0.1')
  socket.on('error', () => undefined)
  const stream = store.replicate(true)
  stream.on('error', () => undefined)
  socket.pipe(stream).pipe(socket)
  return socket
}

/** The blob core a host writes its files to `contactId` in. */
export function ownBlobCore(host: CairnHost, contactId: string): Hypercore {
  const { directory } = messengerOf(host) as unknown as {
    directory: { require(id: string): { files: { files: { own: { core: Hypercore } } } } }
  }
  return directory.require(contactId).files.files.own.core
}

/** The blocks of the replica of `key` that a closed profile's storage holds. */
export async function chunksHeld(profileDir: string, key: Buffer): Promise<Set<number>> {
  const store = new Corestore(join(profileDir, 'cores'))
  try {
    const core = store.get({ key })
    await core.ready()
    const held = new Set<number>()
    for (let i = 0; i < core.length; i++) if (await core.has(i)) held.add(i)
    return held
  } finally {
    await store.close()
  }
}

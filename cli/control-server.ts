import { chmod, stat, unlink } from 'node:fs/promises'
import { createConnection, createServer, type Server, type Socket } from 'node:net'
import { dirname } from 'node:path'
import { CairnError } from '../core/api/errors'
import type { CairnEvent } from '../core/api/types'
import { dispatch, type ApiHost } from '../core/host/dispatch'
import { checkSocketPath } from './control-socket'
import { readFrames, writeFrame } from './line-frames'
import { isWebUrlRequest, type WebUrlAnswer } from './web-url'

export interface ControlServer {
  path: string
  close(): Promise<void>
}

/**
 * Serves the API of a running node on a unix socket so one-shot commands reach it instead of
 * opening the profile a second time. Call only while holding the profile: then any socket already
 * at the path was left by a dead process and is replaced.
 */
export interface ControlOptions {
  /** A fresh single-use URL of the node's web shell, for `cairn web-url`; null while it has none. */
  webUrl?: () => string | null
}

export async function startControlServer(host: ApiHost, path: string, opts: ControlOptions = {}): Promise<ControlServer> {
  checkSocketPath(path)
  await restrictFolder(dirname(path))
  const connections = new Set<Socket>()

  const server = createServer((socket) => {
    connections.add(socket)
    socket.on('close', () => connections.delete(socket))
    socket.on('error', () => socket.destroy())
    readFrames(socket, (frame) => {
      if (isWebUrlRequest(frame)) {
        const answer: WebUrlAnswer = { kind: 'web-url', url: opts.webUrl?.() ?? null }
        if (socket.writable) socket.write(`${JSON.stringify(answer)}\n`)
        return
      }
      void dispatch(host, frame).then((reply) => {
        if (reply) writeFrame(socket, reply)
      })
    })
  })

  await listenReplacingStale(server, path)

  const onEvent = (event: CairnEvent) => {
    for (const socket of connections) writeFrame(socket, { kind: 'event', event })
  }
  host.on('event', onEvent)

  return {
    path,
    async close() {
      host.off('event', onEvent)
      for (const socket of connections) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await unlink(path).catch(() => undefined)
    }
  }
}

/** The socket's own mode is not honoured everywhere; an owner-only folder is. */
async function restrictFolder(dir: string): Promise<void> {
  const { mode } = await stat(dir)
  if ((mode & 0o077) !== 0) await chmod(dir, mode & 0o700)
}

async function listenReplacingStale(server: Server, path: string): Promise<void> {
  try {
    await listen(server, path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err
    if (await isAnswering(path)) {
      throw new CairnError('profile-busy', `another Cairn node is serving ${path}`)
    }
    await unlink(path)
    await listen(server, path)
  }
}

function listen(server: Server, path: string): Promise<void> {
  // Created owner-only from the first instant, not chmod-ed after a window where others could connect.
  const previous = process.umask(0o177)
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(path, () => {
      server.off('error', reject)
      resolve()
    })
  }).finally(() => process.umask(previous))
}

function isAnswering(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createConnection(path)
    probe.once('connect', () => {
      probe.destroy()
      resolve(true)
    })
    probe.once('error', () => resolve(false))
  })
}

import { createConnection, type Socket } from 'node:net'
import { createApiClient } from '../core/api/client'
import type { CairnApi, CairnEvent } from '../core/api/types'
import { readFrames, writeFrame } from './line-frames'

export interface ControlConnection {
  api: CairnApi
  onEvent(cb: (e: CairnEvent) => void): () => void
  close(): void
}

/**
 * Connects to a running node's control socket. Resolves null when no node answers there (no socket,
 * or one left by a killed process); the stale file is the running node's to remove, not ours,
 * because a node starting up at this instant may just have replaced it.
 */
export function connectControl(path: string): Promise<ControlConnection | null> {
  return new Promise((resolve) => {
    const socket = createConnection(path)
    socket.once('error', () => resolve(null))
    socket.once('connect', () => {
      socket.removeAllListeners('error')
      resolve(attach(socket))
    })
  })
}

function attach(socket: Socket): ControlConnection {
  const client = createApiClient((frame) => {
    if (socket.destroyed) throw new Error('the node closed the control socket')
    writeFrame(socket, frame)
  })
  readFrames(socket, (frame) => client.receive(frame as Parameters<typeof client.receive>[0]))
  socket.on('error', () => socket.destroy())
  socket.on('close', () => client.close())
  return {
    api: client.api,
    onEvent: client.onEvent,
    close() {
      client.close()
      socket.end()
    }
  }
}

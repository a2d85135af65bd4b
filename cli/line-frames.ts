import type { Socket } from 'node:net'
import type { WireFrame } from '../core/api/types'

/** A frame is one line of JSON; a peer that sends a longer line is cut off rather than buffered. */
export const MAX_LINE_BYTES = 1024 * 1024

/**
 * Calls onFrame for each newline-terminated JSON value arriving on the socket. A line that is not
 * JSON or exceeds MAX_LINE_BYTES ends the connection: the peer is broken or hostile.
 */
export function readFrames(socket: Socket, onFrame: (frame: unknown) => void): void {
  let pending: Buffer[] = []
  let pendingBytes = 0
  socket.on('data', (chunk: Buffer) => {
    let start = 0
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
      pending.push(chunk.subarray(start, nl))
      const line = Buffer.concat(pending).toString('utf8')
      pending = []
      pendingBytes = 0
      start = nl + 1
      if (line.trim() === '') continue
      let frame: unknown
      try {
        frame = JSON.parse(line)
      } catch {
        socket.destroy()
        return
      }
      onFrame(frame)
      if (socket.destroyed) return
    }
    pendingBytes += chunk.length - start
    if (pendingBytes > MAX_LINE_BYTES) {
      socket.destroy()
      return
    }
    if (start < chunk.length) pending.push(chunk.subarray(start))
  })
}

/** Output queued for a peer that has stopped reading; past this it is dropped, not buffered forever. */
export const MAX_QUEUED_BYTES = 16 * 1024 * 1024

export function writeFrame(socket: Socket, frame: WireFrame): void {
  if (socket.destroyed || !socket.writable) return
  if (socket.writableLength > MAX_QUEUED_BYTES) {
    socket.destroy()
    return
  }
  socket.write(JSON.stringify(frame) + '\n')
}

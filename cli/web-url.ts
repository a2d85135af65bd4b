// `cairn web-url`: a fresh single-use URL from the web shell of the `cairn serve` running on this
// profile, for another browser or tab (the URL serve printed works once, within a minute). Asked over
// the control socket, which only the profile's owner can reach; the API's own frames are not involved.
import { createConnection } from 'node:net'
import { CairnError } from '../core/api/errors'
import type { CliContext } from './context'
import { readFrames } from './line-frames'

/** The control socket's one frame outside the API protocol, both ways. */
export interface WebUrlRequest {
  kind: 'web-url'
}
export interface WebUrlAnswer {
  kind: 'web-url'
  /** null: the running node has no web shell (`cairn run`). */
  url: string | null
}

export function isWebUrlRequest(frame: unknown): frame is WebUrlRequest {
  return (frame as { kind?: unknown } | null)?.kind === 'web-url'
}

const ANSWER_WAIT_MS = 5_000

/** The URL, null for a node without a web shell, undefined when no node answers on the socket. */
export function askWebUrl(socketPath: string): Promise<string | null | undefined> {
  return new Promise((resolve) => {
    const socket = createConnection(socketPath)
    const done = (value: string | null | undefined) => {
      clearTimeout(timer)
      socket.destroy()
      resolve(value)
    }
    const timer = setTimeout(() => done(undefined), ANSWER_WAIT_MS)
    socket.once('error', () => done(undefined))
    socket.once('close', () => done(undefined))
    socket.once('connect', () => socket.write(`${JSON.stringify({ kind: 'web-url' } satisfies WebUrlRequest)}\n`))
    readFrames(socket, (frame) => {
      const answer = frame as Partial<WebUrlAnswer>
      if (answer.kind !== 'web-url') return
      done(typeof answer.url === 'string' ? answer.url : null)
    })
  })
}

export async function printWebUrl(ctx: CliContext): Promise<void> {
  const url = await askWebUrl(ctx.socketPath)
  if (url === undefined) throw new CairnError('not-found', `no cairn node is running on ${ctx.hostOptions.profileDir}: start it with cairn serve`)
  if (url === null) throw new CairnError('not-found', 'the running node has no web shell: start it with cairn serve instead of cairn run')
  ctx.stdout.write(ctx.globals.json ? `${JSON.stringify({ type: 'web-shell', url })}\n` : `${url}\n`)
}

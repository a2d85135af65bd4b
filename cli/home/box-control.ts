// The running home node's control socket (home.sock in the box folder, owner-only): one-shot
// `cairn home` commands reach the daemon through it instead of opening the box a second time.
// One JSON request per line, one JSON reply per line.
import { chmod, stat, unlink } from 'node:fs/promises'
import { createConnection, createServer, type Socket } from 'node:net'
import { dirname } from 'node:path'
import { HomeError, type BoxStatus, type HomeBox, type HomeErrorCode, type ProfileRules } from '../../core/host/home'
import { checkSocketPath } from '../control-socket'
import { readFrames } from '../line-frames'

export type BoxCommand = { op: 'status' } | { op: 'invite'; rules: Partial<ProfileRules> } | { op: 'unlink'; profile: string }
type BoxReply = { ok: true; result: unknown } | { ok: false; error: { code: HomeErrorCode; message: string } }

/** What the box commands need, whether the daemon answers or the box is opened in this process. */
export interface BoxControl {
  status(): Promise<BoxStatus>
  invite(rules: Partial<ProfileRules>): Promise<string>
  unlink(profile: string): Promise<void>
  close(): Promise<void>
}

function send(socket: Socket, reply: BoxReply): void {
  if (!socket.destroyed) socket.write(JSON.stringify(reply) + '\n')
}

async function run(box: HomeBox, command: BoxCommand): Promise<unknown> {
  switch (command.op) {
    case 'status':
      return box.status()
    case 'invite':
      return box.createPairingCode(command.rules)
    case 'unlink':
      if (!(await box.status()).profiles.some((p) => p.profile === command.profile)) {
        throw new HomeError('no-profile', `no profile ${command.profile} on this home node (see cairn home status)`)
      }
      return box.unlink(command.profile)
  }
}

function isCommand(value: unknown): value is BoxCommand {
  if (typeof value !== 'object' || value === null) return false
  const v = value as Record<string, unknown>
  if (v.op === 'status') return true
  if (v.op === 'unlink') return typeof v.profile === 'string'
  if (v.op !== 'invite' || typeof v.rules !== 'object' || v.rules === null) return false
  const rules = v.rules as Record<string, unknown>
  return ['quota', 'expireDays'].every((k) => rules[k] === undefined || (Number.isSafeInteger(rules[k]) && (rules[k] as number) >= 0))
}

export async function serveBoxControl(box: HomeBox, path: string): Promise<{ close(): Promise<void> }> {
  checkSocketPath(path)
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => socket.destroy())
    readFrames(socket, (frame) => {
      if (!isCommand(frame)) return send(socket, { ok: false, error: { code: 'malformed', message: 'not a home control request' } })
      run(box, frame).then(
        (result) => send(socket, { ok: true, result: result ?? null }),
        (err: unknown) => {
          const error = err instanceof HomeError ? err : new HomeError('unavailable', String(err))
          send(socket, { ok: false, error: { code: error.code, message: error.message } })
        }
      )
    })
  })
  const { mode } = await stat(dirname(path))
  if ((mode & 0o077) !== 0) await chmod(dirname(path), mode & 0o700)
  await unlink(path).catch(() => undefined)
  const previous = process.umask(0o177)
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(path, () => resolve())
    })
  } finally {
    process.umask(previous)
  }
  return {
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await unlink(path).catch(() => undefined)
    }
  }
}

/** The running daemon's control, or null when none answers at the path. */
export function connectBoxControl(path: string): Promise<BoxControl | null> {
  return new Promise((resolve) => {
    const socket = createConnection(path)
    socket.once('error', () => resolve(null))
    socket.once('connect', () => {
      socket.removeAllListeners('error')
      socket.on('error', () => undefined)
      const waiting: ((reply: BoxReply) => void)[] = []
      readFrames(socket, (frame) => waiting.shift()?.(frame as BoxReply))
      socket.once('close', () => {
        for (const answer of waiting.splice(0)) answer({ ok: false, error: { code: 'unavailable', message: 'the home node stopped' } })
      })
      const call = <T>(command: BoxCommand) =>
        new Promise<T>((done, fail) => {
          waiting.push((reply) => (reply.ok ? done(reply.result as T) : fail(new HomeError(reply.error.code, reply.error.message))))
          socket.write(JSON.stringify(command) + '\n')
        })
      resolve({
        status: () => call<BoxStatus>({ op: 'status' }),
        invite: (rules) => call<string>({ op: 'invite', rules }),
        unlink: (profile) => call<void>({ op: 'unlink', profile }),
        close: async () => void socket.destroy()
      })
    })
  })
}

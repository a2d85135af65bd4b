// What a failed `cairn send` says about its message, against a stand-in node on the control socket:
// one that dies with the request in hand (the message may have been stored: exit 4), and one that
// refuses it (nothing was written: exit 1).
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { controlSocketPath } from '../../cli/control-socket'
import { readFrames, writeFrame } from '../../cli/line-frames'
import { cryptoReady } from '../../core/crypto'
import { cli, killAll } from '../helpers/cli-process'
import { fakeId } from '../helpers/contact-ids'

let dir = ''
let server: Server | null = null
const requests: unknown[] = []

afterEach(async () => {
  await killAll()
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()))
  server = null
  requests.length = 0
  if (dir) await rm(dir, { recursive: true, force: true })
})

/** A stand-in node on the profile's control socket that does `answer` with every request. */
async function standIn(answer: (socket: import('node:net').Socket, frame: { id: number }) => void): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), 'cairn-send-outcome-'))
  server = createServer((socket) =>
    readFrames(socket, (frame) => {
      requests.push(frame)
      answer(socket, frame as { id: number })
    })
  )
  await new Promise<void>((resolve) => server!.listen(controlSocketPath(dir), resolve))
  return dir
}

describe('a failed send says whether the message was stored', () => {
  it('exit 4 when the node goes away with the request in hand', async () => {
    await cryptoReady()
    const profile = await standIn((socket) => socket.destroy())
    const result = await cli(['send', fakeId('bob'), 'hello', '--client-id', 'job-7'], { profile })
    expect(requests).toMatchObject([{ kind: 'request', method: 'send', args: [fakeId('bob'), 'hello', null, 'job-7'] }])
    expect(result.code).toBe(4)
    expect(result.stderr).toMatch(/may have been stored: send it again with the same --client-id/)
  })

  it('exit 1 when the node refuses it', async () => {
    await cryptoReady()
    const profile = await standIn((socket, frame) =>
      writeFrame(socket, { kind: 'response', id: frame.id, ok: false, error: { code: 'blocked', message: 'this contact is blocked' } })
    )
    const result = await cli(['send', fakeId('bob'), 'hello'], { profile })
    expect(result.code).toBe(1)
    expect(result.stderr).toBe('cairn: this contact is blocked; the message was not stored\n')
  })

  it('a client id that is not printable ASCII is a usage error, before anything is sent', async () => {
    await cryptoReady()
    const profile = await standIn((socket) => socket.destroy())
    const result = await cli(['send', fakeId('bob'), 'hello', '--client-id', 'two words'], { profile })
    expect(result.code).toBe(2)
    expect(requests).toEqual([])
  })
})

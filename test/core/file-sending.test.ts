// The sender's side of a transfer: as the contact fetches a file I sent, my node reports how far
// they are ('sending' progress: bytes, speed, time left), each chunk counted once, ending at the
// whole size.
import { join } from 'node:path'
import { afterEach, expect, it } from 'vitest'
import { Fixture, pair, waitFor } from '../helpers/core'
import { writePattern } from '../helpers/blobs'

const f = new Fixture()
afterEach(() => f.cleanup())

it('the sender sees the contact fetch its file, up to the whole size', async () => {
  const { a, b, aId, bId } = await pair(f)
  const dir = await f.dir()
  const size = 120 * 64 * 1024 + 3
  await writePattern(join(dir, 'big.bin'), size)
  const sent = await a.host.sendFile(bId, join(dir, 'big.bin'))
  await waitFor('B is offered it', () => b.of('message').some((e) => e.message.file?.name === 'big.bin'))
  const sending = () => a.of('file-progress').filter((e) => e.progress.message === sent.id).map((e) => e.progress)
  expect(sending(), 'nothing before the contact fetches').toEqual([])

  const offered = b.of('message').find((e) => e.message.file?.name === 'big.bin')!.message
  await b.host.downloadFile(aId, offered.id)
  await waitFor('A saw the whole file go', () => sending().at(-1)?.bytes === size)
  const updates = sending()
  expect(updates.every((p) => p.state === 'sending' && p.contact === bId && p.size === size && p.error === null)).toBe(true)
  expect(updates.every((p, i) => i === 0 || p.bytes > updates[i - 1].bytes)).toBe(true)
  expect(updates.at(-1)).toMatchObject({ bytes: size, secondsLeft: 0 })
  expect((await a.host.history(bId)).messages.find((m) => m.id === sent.id)!.file!.state).toBe('ready')
}, 90_000)

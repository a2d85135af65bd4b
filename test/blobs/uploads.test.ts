import { readdir, readFile } from 'node:fs/promises'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { CairnError } from '../../core/api/errors'
import { MAX_UPLOADS, Uploads } from '../../core/blobs/uploads'
import { tempDir } from '../helpers/blobs'

let tmp: Awaited<ReturnType<typeof tempDir>>
let uploads: Uploads
beforeEach(async () => {
  tmp = await tempDir()
  uploads = new Uploads(tmp.dir, 1000)
})
afterEach(async () => {
  await uploads.close()
  await tmp.cleanup()
})

const refused = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => (e as CairnError).message)

it('pieces become one private file of exactly the declared size', async () => {
  const id = await uploads.begin(10)
  await uploads.append(id, Buffer.from('hello '))
  await uploads.append(id, Buffer.from('you!'))
  const path = await uploads.finish(id)
  expect(await readFile(path, 'utf8')).toBe('hello you!')
  await uploads.discard(path)
  expect(await readdir(tmp.dir)).toEqual([])
})

it('refuses growing past the declared size, ending short, oversized and too many uploads, leaving no file', async () => {
  const long = await uploads.begin(3)
  expect(await refused(uploads.append(long, Buffer.from('abcd')))).toMatch(/longer than the size it declared/)
  const short = await uploads.begin(5)
  await uploads.append(short, Buffer.from('ab'))
  expect(await refused(uploads.finish(short))).toMatch(/after 2 of 5 bytes/)
  expect(await refused(uploads.begin(1001))).toMatch(/larger than the 1000 bytes/)
  expect(await refused(uploads.append('nope', Buffer.alloc(1)))).toMatch(/no such upload/)
  for (let i = 0; i < MAX_UPLOADS; i++) await uploads.begin(1)
  expect(await refused(uploads.begin(1))).toMatch(/at most 4 uploads/)
  await uploads.close()
  expect(await readdir(tmp.dir)).toEqual([])
})

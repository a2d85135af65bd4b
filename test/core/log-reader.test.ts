// The log reader on real Hypercores on disk, replicated over an in-process stream: a catch-up is
// handed over in order, each block once, in steps planned and downloaded ahead of the consumer and
// read from storage in one batch per step; a block over the cap among them is never downloaded.
import type { Duplex } from 'node:stream'
import Hypercore from 'hypercore'
import { afterEach, describe, expect, it } from 'vitest'
import { LogReader, type LogBlock } from '../../core/log'
import { Fixture, waitFor } from '../helpers/core'

const f = new Fixture()
const open: Hypercore[] = []
afterEach(async () => {
  for (const core of open.splice(0).reverse()) await core.close()
  await f.cleanup()
})

async function pair(blocks: Buffer[]): Promise<{ writer: Hypercore; reader: Hypercore }> {
  const writer = new Hypercore(await f.dir())
  open.push(writer)
  await writer.ready()
  await writer.append(blocks)
  const reader = new Hypercore(await f.dir(), writer.key!)
  open.push(reader)
  await reader.ready()
  const a = writer.replicate(true) as Duplex
  const b = reader.replicate(false) as Duplex
  a.pipe(b).pipe(a)
  await reader.update({ wait: true })
  return { writer, reader }
}

const block = (i: number, bytes = 300) => Buffer.alloc(bytes, i % 251)

describe('log reader', () => {
  it('hands a 3,000-block catch-up over in order, each block once, in steps of many blocks', async () => {
    const count = 3000
    const { reader } = await pair(Array.from({ length: count }, (_, i) => block(i)))
    const steps: LogBlock[][] = []
    let failed: unknown = null
    const logReader = new LogReader(reader, 0, async (step) => void steps.push(step), (err) => (failed = err), { maxBlockBytes: 64 * 1024 })
    await waitFor('every block handed over', () => steps.flat().length >= count)
    await logReader.close()
    expect(failed).toBe(null)
    const seen = steps.flat()
    expect(seen.map((b) => b.index)).toEqual(Array.from({ length: count }, (_, i) => i))
    for (const b of seen) expect(b.block?.equals(block(b.index))).toBe(true)
    // a step is as many blocks as fit the cap (64 KiB of 300-byte blocks), not one get per step
    expect(steps.length).toBeLessThan(count / 100)
  })

  it('starts at the consumed mark and never downloads a block over the cap, even with steps planned ahead of it', async () => {
    const cap = 4096
    const count = 400
    const oversized = 250
    const blocks = Array.from({ length: count }, (_, i) => block(i, i === oversized ? 3 * cap : 100))
    const { reader } = await pair(blocks)
    const seen: LogBlock[] = []
    const logReader = new LogReader(reader, 10, async (step) => void seen.push(...step), () => undefined, { maxBlockBytes: cap })
    await waitFor('every block from the mark handed over', () => seen.length >= count - 10)
    await logReader.close()
    expect(seen.map((b) => b.index)).toEqual(Array.from({ length: count - 10 }, (_, i) => i + 10))
    const big = seen.find((b) => b.index === oversized)!
    expect(big.block).toBe(null)
    expect(big.size).toBe(3 * cap)
    expect(await reader.has(oversized)).toBe(false)
    for (const b of seen) if (b.index !== oversized) expect(b.block?.equals(blocks[b.index])).toBe(true)
  })
})

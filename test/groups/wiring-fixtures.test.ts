// Frozen bytes of the formats the messenger's group wiring adds: the group channel frame and the
// 1:1 payload kind that carries invitations. Never regenerate them to make a test pass.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { decodeChannelFrame, decodeRemoved, encodeChannelFrame, encodeRemoved, GroupError, signalKind } from '../../core/groups'
import { decodePayload, encodePayload } from '../../core/protocol/payload'
import { DIR, fill } from './fixture-inputs'

describe('group wiring formats, frozen', () => {
  it('group channel frame', () => {
    const frame = {
      bundles: [{ identity: fill(32, 0x21), bundle: fill(105, 0x22) }],
      delivered: [
        { log: fill(32, 0x23), length: 7 },
        { log: fill(32, 0x24), length: 300 }
      ],
      read: [{ log: fill(32, 0x23), length: 5 }]
    }
    const frozen = readFileSync(join(DIR, 'channel-frame.bin'))
    expect(encodeChannelFrame(frame).toString('hex')).toBe(frozen.toString('hex'))
    expect(decodeChannelFrame(frozen)).toEqual(frame)
  })

  it('group payload kind in the 1:1 session', () => {
    const payload = { kind: 'group' as const, sentAt: 1764547200000, data: fill(40, 0x25) }
    const frozen = readFileSync(join(DIR, 'group-payload.json'))
    expect(encodePayload(payload).toString()).toBe(frozen.toString())
    expect(decodePayload(frozen)).toEqual(payload)
  })

  it('removal notice', () => {
    const frozen = readFileSync(join(DIR, 'removed.bin'))
    expect(encodeRemoved(fill(32, 0x26)).toString('hex')).toBe(frozen.toString('hex'))
    expect(signalKind(frozen)).toBe(3)
    expect(decodeRemoved(frozen)).toEqual(fill(32, 0x26))
    expect(() => decodeRemoved(frozen.subarray(0, 20))).toThrow(GroupError)
  })

  it('refuses malformed channel frames and group payloads with a reason', () => {
    const frozen = readFileSync(join(DIR, 'channel-frame.bin'))
    expect(() => decodeChannelFrame(frozen.subarray(0, frozen.length - 1))).toThrow(GroupError)
    expect(() => decodeChannelFrame(Buffer.concat([frozen, Buffer.from([0])]))).toThrow(/trailing/)
    expect(() => decodeChannelFrame(Buffer.from([2, 0, 0, 0]))).toThrow(/version 2/)
    const huge = Buffer.from([1, 0xfd, 0xff, 0xff, 0xff, 0x0f])
    expect(() => decodeChannelFrame(huge)).toThrow(/at most 256/)
    expect(() => decodePayload(Buffer.from(JSON.stringify({ v: 2, k: 'g', s: 1, g: 'x'.repeat(5000) })))).toThrow(/group field/)
    expect(() => decodePayload(Buffer.from(JSON.stringify({ v: 2, k: 'g', s: 1, g: 7 })))).toThrow(/group field/)
  })
})

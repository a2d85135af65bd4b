import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { decodeBoxKey, encodeBoxKey } from '../../core/home/box-key'
import { decodeLink, encodeLink } from '../../core/home/link'
import { decodePairingCode, encodePairingCode } from '../../core/home/pairing-code'
import { decodeRecord, encodeRecord, type RecordKind } from '../../core/home/records'
import { decodeHomeFrame, encodeHomeFrame, MAX_GRANT_LOGS } from '../../core/home/wire'
import { ed25519KeyPair } from '../../core/crypto'
import { decodeIntroduction, encodeIntroduction } from '../../core/home/introduction'
import { decodeControlFrame, encodeControlFrame } from '../../core/net/frames'
import { BOX_SEED, FRAMES, HOME_FRAME, INTRODUCTION, INTRODUCTION_V1, LINK, PAIRING_CODE, RECORDS } from './samples'

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/home/${name}`, import.meta.url), 'utf8')) as Record<string, string>
const hex = (s: string) => Buffer.from(s, 'hex')

describe('home node formats (frozen)', () => {
  it('wire frames encode to the fixture bytes and decode back', () => {
    const frozen = fixture('wire.json')
    expect(Object.keys(frozen).sort()).toEqual(Object.keys(FRAMES).sort())
    for (const [name, frame] of Object.entries(FRAMES)) {
      expect(encodeHomeFrame(frame).toString('hex'), name).toBe(frozen[name])
      expect(decodeHomeFrame(hex(frozen[name])), name).toEqual(frame)
    }
  })

  it('storage records encode to the fixture bytes and decode back', () => {
    const frozen = fixture('records.json')
    for (const kind of Object.keys(RECORDS) as RecordKind[]) {
      expect(encodeRecord(kind, RECORDS[kind]).toString('hex'), kind).toBe(frozen[kind])
      expect(decodeRecord(kind, hex(frozen[kind])), kind).toEqual(RECORDS[kind])
    }
  })

  it('the home-link file, box.key and a pairing code are frozen too', () => {
    const frozen = fixture('files.json')
    expect(encodeLink(LINK).toString('hex')).toBe(frozen['home-link'])
    expect(decodeLink(hex(frozen['home-link']))).toEqual(LINK)
    expect(encodeBoxKey(BOX_SEED).toString('hex')).toBe(frozen['box.key'])
    expect(decodeBoxKey(hex(frozen['box.key'])).publicKey).toEqual(ed25519KeyPair(BOX_SEED).publicKey)
    expect(encodePairingCode(PAIRING_CODE)).toBe(frozen['pairing-code'])
    expect(decodePairingCode(frozen['pairing-code'])).toEqual(PAIRING_CODE)
    expect(decodeIntroduction(hex(frozen.introduction))).toEqual(INTRODUCTION_V1)
    expect(encodeIntroduction(INTRODUCTION).toString('hex')).toBe(frozen['introduction-v2'])
    expect(decodeIntroduction(hex(frozen['introduction-v2']))).toEqual(INTRODUCTION)
    expect(decodeIntroduction(encodeIntroduction({ ...INTRODUCTION, home: null }))).toEqual({ ...INTRODUCTION, home: null })
    expect(encodeControlFrame(HOME_FRAME).toString('hex')).toBe(frozen['control-home'])
    expect(decodeControlFrame(hex(frozen['control-home']))).toEqual(HOME_FRAME)
    expect(() => decodeControlFrame(hex(frozen['control-home']).subarray(0, 20))).toThrow(/truncated/)
  })
})

describe('home node formats refuse bad input with a clear error', () => {
  const good = encodeHomeFrame(FRAMES.grant)
  it.each([
    ['truncated', good.subarray(0, good.length - 1), /truncated/],
    ['trailing bytes', Buffer.concat([good, Buffer.from([0])]), /trailing/],
    ['another version', Buffer.concat([Buffer.from([2]), good.subarray(1)]), /unsupported version 2/],
    ['an unknown kind', Buffer.from([1, 7, 1, 0]), /unknown kind/],
    ['an unknown op', Buffer.from([1, 0, 1, 99]), /unknown request op/],
    ['a list longer than allowed', Buffer.concat([Buffer.from([1, 0, 1, 3]), Buffer.alloc(32), Buffer.from([MAX_GRANT_LOGS + 1])]), /at most 64/],
    ['a huge length prefix', Buffer.from([1, 0, 1, 12, 0xfe, 0xff, 0xff, 0xff, 0x7f]), /inbox is truncated/],
    ['too many bytes', Buffer.alloc(70_000), /at most 65536/]
  ])('a frame with %s', (_name, bytes, message) => {
    expect(() => decodeHomeFrame(bytes)).toThrow(message)
    try {
      decodeHomeFrame(bytes)
    } catch (err) {
      expect((err as { code: string }).code).toBe('malformed')
    }
  })

  it('a record of one kind is not read as another', () => {
    expect(() => decodeRecord('log', encodeRecord('grant', RECORDS.grant))).toThrow(/holds a grant record/)
  })

  it('a mistyped or truncated pairing code is caught before anything is dialled', () => {
    const code = encodePairingCode(PAIRING_CODE)
    const typo = code.slice(0, 10) + (code[10] === 'y' ? 'b' : 'y') + code.slice(11)
    expect(() => decodePairingCode(typo)).toThrow(/typo/)
    expect(() => decodePairingCode(code.slice(0, -4))).toThrow(/incomplete/)
    expect(() => decodePairingCode('not a code!')).toThrow(/not in a code/)
  })
})

// Frozen fixtures for every call and media wire format, and hostile bytes against each decoder.
import { readFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { decodeCallFrame, encodeCallFrame } from '../../core/media/call-frames'
import { deriveCallKeys, CallKeyError } from '../../core/media/call-key'
import { DatagramOpener, DatagramSealer, MAX_DATAGRAM_BYTES, MAX_FRAGMENT_BYTES, peekDatagram } from '../../core/media/datagram'
import { MediaWireError } from '../../core/media/codec'
import type { MediaFragment } from '../../core/media/media-packet'
import { SAS_WORDS } from '../../core/media/sas-words'
import { ed25519KeyPair } from '../../core/crypto'
import { pairCallSession } from '../../core/protocol/topics'
import { fixture as identities } from '../fixtures/values'
import * as f from './fixture-cases'

const fixture = <T>(name: string): T => JSON.parse(readFileSync(new URL(`../fixtures/media/${name}`, import.meta.url), 'utf8')) as T

describe('call frames', () => {
  const frozen = fixture<Record<string, string>>('call-frames.json')

  it('encode to the frozen bytes and decode back', () => {
    for (const [name, frame] of Object.entries(f.CALL_FRAMES)) {
      expect(encodeCallFrame(frame).toString('hex'), name).toBe(frozen[name])
      expect(decodeCallFrame(Buffer.from(frozen[name], 'hex')), name).toEqual(frame)
    }
  })

  it('refuse truncated, extended, unknown and out-of-range frames with MediaWireError', () => {
    const offer = Buffer.from(frozen.offer, 'hex')
    const bad = [
      offer.subarray(0, offer.length - 1),
      Buffer.concat([offer, Buffer.from([0])]),
      Buffer.from([2, ...offer.subarray(1)]),
      Buffer.from([1, 9, ...offer.subarray(2)]),
      Buffer.from(frozen.declineBusy.slice(0, -2) + '07', 'hex'),
      Buffer.from(frozen.accept.replace(/^(.{36})00/, '$102'), 'hex'),
      Buffer.alloc(0),
      Buffer.alloc(4096, 1)
    ]
    for (const bytes of bad) expect(() => decodeCallFrame(bytes)).toThrow(MediaWireError)
  })

  it('never throw anything but MediaWireError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        try {
          decodeCallFrame(bytes)
        } catch (err) {
          expect(err).toBeInstanceOf(MediaWireError)
        }
      }),
      { numRuns: 2000 }
    )
  })
})

describe('call keys', () => {
  const frozen = fixture<{ callerToCallee: string; calleeToCaller: string; tag: number; sas: string[]; sasWordsSha256: string }>('call-keys.json')

  it('are the frozen keys, the same from both sides', () => {
    const caller = deriveCallKeys(f.KEY_INPUT, f.CALLER_EPHEMERAL_SECRET, f.KEY_INPUT.calleeEphemeral)
    const callee = deriveCallKeys(f.KEY_INPUT, f.CALLEE_EPHEMERAL_SECRET, f.KEY_INPUT.callerEphemeral)
    expect(callee).toEqual(caller)
    expect(caller.callerToCallee.toString('hex')).toBe(frozen.callerToCallee)
    expect(caller.calleeToCaller.toString('hex')).toBe(frozen.calleeToCaller)
    expect(caller.tag).toBe(frozen.tag)
    expect(caller.sas).toEqual(frozen.sas)
    expect(caller.callerToCallee.equals(caller.calleeToCaller)).toBe(false)
  })

  it("a new pair's call session id is the frozen one, the same from both sides, and no other pair's", () => {
    const alice = ed25519KeyPair(identities.alice.seed)
    const bob = ed25519KeyPair(identities.bob.seed)
    const carol = ed25519KeyPair(Buffer.alloc(32, 7))
    const frozenId = fixture<{ pairSession: string }>('pair-session.json').pairSession
    expect(pairCallSession(alice, bob.publicKey).toString('hex')).toBe(frozenId)
    expect(pairCallSession(bob, alice.publicKey).toString('hex')).toBe(frozenId)
    expect(pairCallSession(alice, carol.publicKey).toString('hex')).not.toBe(frozenId)
  })

  it('differ for another call id, another session or another ephemeral', () => {
    const base = deriveCallKeys(f.KEY_INPUT, f.CALLER_EPHEMERAL_SECRET, f.KEY_INPUT.calleeEphemeral)
    const otherCall = deriveCallKeys({ ...f.KEY_INPUT, callId: Buffer.alloc(16, 9) }, f.CALLER_EPHEMERAL_SECRET, f.KEY_INPUT.calleeEphemeral)
    const otherSession = deriveCallKeys({ ...f.KEY_INPUT, sessionId: Buffer.alloc(16, 9) }, f.CALLER_EPHEMERAL_SECRET, f.KEY_INPUT.calleeEphemeral)
    for (const other of [otherCall, otherSession]) {
      expect(other.callerToCallee.equals(base.callerToCallee)).toBe(false)
      expect(other.sas).not.toEqual(base.sas)
    }
  })

  it('refuse a low-order ephemeral and wrong lengths', () => {
    expect(() => deriveCallKeys(f.KEY_INPUT, f.CALLER_EPHEMERAL_SECRET, Buffer.alloc(32))).toThrow(CallKeyError)
    expect(() => deriveCallKeys({ ...f.KEY_INPUT, callId: Buffer.alloc(15) }, f.CALLER_EPHEMERAL_SECRET, f.KEY_INPUT.calleeEphemeral)).toThrow(CallKeyError)
  })

  it('use the frozen word list of 256 distinct words', () => {
    expect(new Set(SAS_WORDS).size).toBe(256)
    expect(createHash('sha256').update(SAS_WORDS.join('\n')).digest('hex')).toBe(frozen.sasWordsSha256)
  })
})

describe('media datagrams', () => {
  const frozen = fixture<string[]>('datagrams.json')

  it('seal to the frozen bytes and open back, in any order', () => {
    const sealer = new DatagramSealer(f.MEDIA_KEY, f.MEDIA_TAG)
    expect(f.MEDIA_PACKETS.map((p) => sealer.seal(p).toString('hex'))).toEqual(frozen)
    const opener = new DatagramOpener(f.MEDIA_KEY)
    const order = [3, 0, 5, 4, 1, 2]
    for (const i of order) {
      const packet = opener.open(Buffer.from(frozen[i], 'hex'))
      expect(JSON.stringify(packet)).toBe(JSON.stringify(f.MEDIA_PACKETS[i]))
    }
  })

  it('drop replays, forgeries, other calls and oversize datagrams', () => {
    const opener = new DatagramOpener(f.MEDIA_KEY)
    const first = Buffer.from(frozen[0], 'hex')
    opener.open(first)
    expect(() => opener.open(first)).toThrow(/replayed/)
    const flipped = Buffer.from(frozen[1], 'hex')
    flipped[flipped.length - 1] ^= 1
    expect(() => opener.open(flipped)).toThrow(/authenticate/)
    expect(() => opener.open(Buffer.from(frozen[1], 'hex'))).not.toThrow()
    const otherCall = new DatagramOpener(Buffer.alloc(32, 0x43))
    expect(() => otherCall.open(Buffer.from(frozen[2], 'hex'))).toThrow(/authenticate/)
    const retagged = Buffer.from(frozen[3], 'hex')
    retagged[1] ^= 0xff
    expect(() => opener.open(retagged)).toThrow(/authenticate/)
    expect(() => peekDatagram(Buffer.alloc(MAX_DATAGRAM_BYTES + 1, 1))).toThrow(MediaWireError)
    expect(() => peekDatagram(Buffer.from([1, 0, 0]))).toThrow(MediaWireError)
  })

  it('refuse a fragment that would not fit one datagram', () => {
    const sealer = new DatagramSealer(f.MEDIA_KEY, f.MEDIA_TAG)
    const base = f.MEDIA_PACKETS[1] as MediaFragment
    const packet = (n: number): MediaFragment => ({ ...base, data: Buffer.alloc(n) })
    expect(sealer.seal(packet(MAX_FRAGMENT_BYTES)).byteLength).toBeLessThanOrEqual(MAX_DATAGRAM_BYTES)
    expect(() => sealer.seal(packet(MAX_DATAGRAM_BYTES))).toThrow(MediaWireError)
  })

  it('never throw anything but MediaWireError on random or mutated datagrams', () => {
    const opener = new DatagramOpener(f.MEDIA_KEY)
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1300 }), fc.nat(frozen.length - 1), (noise, i) => {
        const mutated = Buffer.from(frozen[i], 'hex')
        for (let k = 0; k < Math.min(noise.length, mutated.length); k++) mutated[k] ^= noise[k]
        for (const bytes of [noise, mutated]) {
          try {
            opener.open(bytes)
          } catch (err) {
            expect(err).toBeInstanceOf(MediaWireError)
          }
        }
      }),
      { numRuns: 2000 }
    )
  })
})

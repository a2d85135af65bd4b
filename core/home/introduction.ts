// What a new contact leaves on an owner's home node while the owner is away, sealed to the owner
// (./sealed.ts): who they are, the name they give, the key of their log for the owner, their own
// home node if they have one, and envelopes of the session they started from the owner's published
// bundle (and one-time prekey) — blocks `from`, `from + 1`, ... of their log — so the owner reads the
// first messages without the two ever being online at once. Only the identity's holder can write an
// envelope that opens (the start's DH(IK_A, SPK_B)), so the owner checks the introduction by opening it.
//
//   v2 = version (1) = 2 | identity (32) | name | log key (32) | home flag (1) [| box key (32)]
//        | from (compact uint) | envelopes: count (compact uint, at most 16), each length-prefixed
//   v1 (read only) = version (1) = 1 | identity | name | log key | home flag [| box key] | envelope
//        (one envelope, block 0)
import { Reader, Writer } from './codec'
import { HomeError } from './errors'
import { MAX_REQUEST_PLAINTEXT } from './sealed'
import { KEY_BYTES } from './wire'

export const INTRODUCTION_VERSION = 2
const V1 = 1
const MAX_NAME_BYTES = 256
export const MAX_INTRODUCED_ENVELOPES = 16

export interface Introduction {
  identity: Buffer
  name: string
  logKey: Buffer
  home: Buffer | null
  /** The block of their log the first envelope is. */
  from: number
  envelopes: Buffer[]
}

/** Bytes an introduction takes beyond its envelopes (with a name of `nameBytes` and a home node), a bound for callers packing envelopes. */
export function introductionOverhead(nameBytes: number): number {
  return 1 + KEY_BYTES + 5 + nameBytes + KEY_BYTES + 1 + KEY_BYTES + 9 + 5
}

export function encodeIntroduction(intro: Introduction): Buffer {
  const w = new Writer()
    .uint8(INTRODUCTION_VERSION)
    .fixed(intro.identity, KEY_BYTES, 'identity')
    .string(intro.name, MAX_NAME_BYTES, 'name')
    .fixed(intro.logKey, KEY_BYTES, 'log key')
    .uint8(intro.home === null ? 0 : 1)
  if (intro.home !== null) w.fixed(intro.home, KEY_BYTES, 'home')
  w.uint(intro.from)
  const out = w.list(intro.envelopes, MAX_INTRODUCED_ENVELOPES, 'envelopes', (e) => w.bytes(e, MAX_REQUEST_PLAINTEXT, 'envelope')).done()
  if (out.byteLength > MAX_REQUEST_PLAINTEXT) throw new HomeError('malformed', `an introduction holds at most ${MAX_REQUEST_PLAINTEXT} bytes`)
  return out
}

export function decodeIntroduction(bytes: Uint8Array): Introduction {
  const r = new Reader(bytes, MAX_REQUEST_PLAINTEXT, 'introduction')
  const version = r.uint8('version')
  if (version !== INTRODUCTION_VERSION && version !== V1) throw new HomeError('malformed', `introduction: unsupported version ${version}`)
  const identity = r.fixed(KEY_BYTES, 'identity')
  const name = r.string(MAX_NAME_BYTES, 'name')
  const logKey = r.fixed(KEY_BYTES, 'log key')
  const home = r.bool('home flag') ? r.fixed(KEY_BYTES, 'home') : null
  if (version === V1) {
    const envelope = r.bytes(MAX_REQUEST_PLAINTEXT, 'envelope')
    r.end()
    return { identity, name, logKey, home, from: 0, envelopes: [envelope] }
  }
  const from = r.uint('from')
  const envelopes = r.list(MAX_INTRODUCED_ENVELOPES, 'envelopes', () => r.bytes(MAX_REQUEST_PLAINTEXT, 'envelope'))
  r.end()
  return { identity, name, logKey, home, from, envelopes }
}

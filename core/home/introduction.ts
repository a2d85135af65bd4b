// What a new contact leaves on an owner's home node while the owner is away, sealed to the owner
// (./sealed.ts): who they are, the name they give, the key of their log for the owner, their own
// home node if they have one, and the first envelope of the session they started from the owner's
// published bundle — so the owner reads the first message without the two ever being online at once.
//
//   introduction = version (1) | identity (32) | name | log key (32) | home flag (1) [| box key (32)] | envelope
import { Reader, Writer } from './codec'
import { HomeError } from './errors'
import { MAX_REQUEST_PLAINTEXT } from './sealed'
import { KEY_BYTES } from './wire'

export const INTRODUCTION_VERSION = 1
const MAX_NAME_BYTES = 256

export interface Introduction {
  identity: Buffer
  name: string
  logKey: Buffer
  home: Buffer | null
  envelope: Buffer
}

export function encodeIntroduction(intro: Introduction): Buffer {
  const w = new Writer()
    .uint8(INTRODUCTION_VERSION)
    .fixed(intro.identity, KEY_BYTES, 'identity')
    .string(intro.name, MAX_NAME_BYTES, 'name')
    .fixed(intro.logKey, KEY_BYTES, 'log key')
    .uint8(intro.home === null ? 0 : 1)
  if (intro.home !== null) w.fixed(intro.home, KEY_BYTES, 'home')
  const out = w.bytes(intro.envelope, MAX_REQUEST_PLAINTEXT, 'envelope').done()
  if (out.byteLength > MAX_REQUEST_PLAINTEXT) throw new HomeError('malformed', `an introduction holds at most ${MAX_REQUEST_PLAINTEXT} bytes`)
  return out
}

export function decodeIntroduction(bytes: Uint8Array): Introduction {
  const r = new Reader(bytes, MAX_REQUEST_PLAINTEXT, 'introduction')
  const version = r.uint8('version')
  if (version !== INTRODUCTION_VERSION) throw new HomeError('malformed', `introduction: unsupported version ${version}`)
  const identity = r.fixed(KEY_BYTES, 'identity')
  const name = r.string(MAX_NAME_BYTES, 'name')
  const logKey = r.fixed(KEY_BYTES, 'log key')
  const home = r.bool('home flag') ? r.fixed(KEY_BYTES, 'home') : null
  const envelope = r.bytes(MAX_REQUEST_PLAINTEXT, 'envelope')
  r.end()
  return { identity, name, logKey, home, envelope }
}

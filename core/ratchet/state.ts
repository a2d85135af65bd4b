// Session state and its versioned binary form (compact-encoding), version 1:
//
//   version (1) | flags (1): 1 receiving ratchet key, 2 sending chain, 4 receiving chain, 8 pending initial header,
//                            16 the pending header names a one-time prekey
//   session id (16) | my identity (32) | their identity (32) | root key (32) | my ratchet key pair (32 public, 32 secret)
//   [their ratchet key (32)] [sending chain key (32)] [receiving chain key (32)]
//   Ns u32 | Nr u32 | PN u32 | [ephemeral (32) | prekey id u32 [| one-time prekey id u32]]
//   previous receiving ratchet keys: count (compact uint), 32 each
//   skipped message keys, oldest first: count (compact uint), then ratchet key (32) | n u32 | message key (32)
import * as c from 'compact-encoding'
import type { X25519KeyPair } from '../crypto'
import { DecodeError, decodeExact } from '../protocol/decode'
import type { InitialHeader } from './envelope'
import { ratchetDecode } from './errors'

export const STATE_VERSION = 1
/** Most message keys skipped in one chain by one envelope (Signal's MAX_SKIP). */
export const MAX_SKIP = 1000
/**
 * Most skipped message keys kept in total; the oldest are evicted first. A contact's log arrives in
 * order, so keys are skipped only when a sender skips on purpose or lost what it wrote: a small cap
 * keeps every state write small (68 bytes a key) whatever a hostile sender does.
 */
export const MAX_STORED_SKIPPED = 200
/** Earlier releases kept up to this many; their stored states still decode (and shrink at the next write). */
const MAX_DECODED_SKIPPED = 2000
/** Skipped keys expire once their chain is this many receiving ratchet steps behind the current one. */
export const SKIPPED_KEY_CHAINS = 4
/** Receiving ratchet keys of finished chains kept to tell a replay ('duplicate') from a forgery. */
export const MAX_PREVIOUS_CHAINS = 16

export interface SkippedKey {
  dh: Buffer
  n: number
  messageKey: Buffer
}

export interface RatchetState {
  id: Buffer
  self: Buffer
  peer: Buffer
  rootKey: Buffer
  dhs: X25519KeyPair
  dhr: Buffer | null
  cks: Buffer | null
  ckr: Buffer | null
  ns: number
  nr: number
  pn: number
  pending: InitialHeader | null
  previous: Buffer[]
  /** Keyed by skippedKeyId(dh, n); Map order is insertion order, so the first entry is the oldest. */
  skipped: Map<string, SkippedKey>
}

export function skippedKeyId(dh: Buffer, n: number): string {
  return dh.toString('latin1') + n
}

const FLAG_DHR = 1
const FLAG_CKS = 2
const FLAG_CKR = 4
const FLAG_PENDING = 8
const FLAG_ONE_TIME = 16
const fixed16 = c.fixed(16)

function uintLength(n: number): number {
  return n <= 0xfc ? 1 : n <= 0xffff ? 3 : 5
}

export function encodeState(s: RatchetState): Buffer {
  const oneTime = s.pending?.oneTimeId !== undefined
  const flags =
    (s.dhr ? FLAG_DHR : 0) | (s.cks ? FLAG_CKS : 0) | (s.ckr ? FLAG_CKR : 0) | (s.pending ? FLAG_PENDING : 0) | (oneTime ? FLAG_ONE_TIME : 0)
  const size =
    2 + 16 + 32 * 5 +
    (s.dhr ? 32 : 0) + (s.cks ? 32 : 0) + (s.ckr ? 32 : 0) +
    12 + (s.pending ? 36 : 0) + (oneTime ? 4 : 0) +
    uintLength(s.previous.length) + 32 * s.previous.length +
    uintLength(s.skipped.size) + 68 * s.skipped.size
  const buffer = Buffer.allocUnsafe(size)
  const state = c.state(0, size, buffer)
  c.uint8.encode(state, STATE_VERSION)
  c.uint8.encode(state, flags)
  fixed16.encode(state, s.id)
  c.fixed32.encode(state, s.self)
  c.fixed32.encode(state, s.peer)
  c.fixed32.encode(state, s.rootKey)
  c.fixed32.encode(state, s.dhs.publicKey)
  c.fixed32.encode(state, s.dhs.secretKey)
  if (s.dhr) c.fixed32.encode(state, s.dhr)
  if (s.cks) c.fixed32.encode(state, s.cks)
  if (s.ckr) c.fixed32.encode(state, s.ckr)
  c.uint32.encode(state, s.ns)
  c.uint32.encode(state, s.nr)
  c.uint32.encode(state, s.pn)
  if (s.pending) {
    c.fixed32.encode(state, s.pending.ephemeral)
    c.uint32.encode(state, s.pending.prekeyId)
    if (s.pending.oneTimeId !== undefined) c.uint32.encode(state, s.pending.oneTimeId)
  }
  c.uint.encode(state, s.previous.length)
  for (const dh of s.previous) c.fixed32.encode(state, dh)
  c.uint.encode(state, s.skipped.size)
  for (const k of s.skipped.values()) {
    c.fixed32.encode(state, k.dh)
    c.uint32.encode(state, k.n)
    c.fixed32.encode(state, k.messageKey)
  }
  return buffer
}

function malformed(what: string): DecodeError {
  return new DecodeError(`malformed session state: ${what}`)
}

function readCount(state: c.State, max: number, what: string): number {
  const n = c.uint.decode(state)
  if (n > max) throw malformed(`${n} ${what}, at most ${max}`)
  return n
}

function readFields(state: c.State, flags: number): RatchetState {
  const fixed32 = () => c.fixed32.decode(state) as Buffer
  const s: RatchetState = {
    id: fixed16.decode(state) as Buffer,
    self: fixed32(),
    peer: fixed32(),
    rootKey: fixed32(),
    dhs: { publicKey: fixed32(), secretKey: fixed32() },
    dhr: flags & FLAG_DHR ? fixed32() : null,
    cks: flags & FLAG_CKS ? fixed32() : null,
    ckr: flags & FLAG_CKR ? fixed32() : null,
    ns: c.uint32.decode(state),
    nr: c.uint32.decode(state),
    pn: c.uint32.decode(state),
    pending: null,
    previous: [],
    skipped: new Map()
  }
  if (flags & FLAG_PENDING) {
    s.pending = { ephemeral: fixed32(), prekeyId: c.uint32.decode(state) }
    if (flags & FLAG_ONE_TIME) s.pending.oneTimeId = c.uint32.decode(state)
  }
  const previous = readCount(state, MAX_PREVIOUS_CHAINS, 'previous chains')
  for (let i = 0; i < previous; i++) s.previous.push(fixed32())
  const skipped = readCount(state, MAX_DECODED_SKIPPED, 'skipped keys')
  for (let i = 0; i < skipped; i++) {
    const dh = fixed32()
    const n = c.uint32.decode(state)
    s.skipped.set(skippedKeyId(dh, n), { dh, n, messageKey: fixed32() })
  }
  return s
}

function readState(bytes: Uint8Array): RatchetState {
  if (!(bytes instanceof Uint8Array)) throw malformed('not a byte array')
  if (bytes.byteLength < 2) throw malformed(`truncated at ${bytes.byteLength} bytes`)
  if (bytes[0] !== STATE_VERSION) {
    throw new DecodeError(`session state version ${bytes[0]}, this build reads ${STATE_VERSION}`, 'unsupported-version')
  }
  const flags = bytes[1]
  if (flags & ~(FLAG_DHR | FLAG_CKS | FLAG_CKR | FLAG_PENDING | FLAG_ONE_TIME)) throw malformed(`unknown flags ${flags}`)
  if (flags & FLAG_ONE_TIME && !(flags & FLAG_PENDING)) throw malformed('a one-time prekey id without a pending header')
  // One private copy: the fields are views into it, so the caller's bytes are never aliased or zeroed.
  const buffer = Buffer.from(bytes)
  const s = decodeExact(c.state(2, buffer.byteLength, buffer), (state) => readFields(state, flags), {
    truncated: `malformed session state: truncated (${bytes.byteLength} bytes)`,
    trailing: (count) => `malformed session state: ${count} unexpected trailing bytes`
  })
  if (!s.cks || !s.dhr) throw malformed('the sending chain or the peer ratchet key is missing')
  return s
}

export function decodeState(bytes: Uint8Array): RatchetState {
  return ratchetDecode(() => readState(bytes))
}

// One member's persisted state of one group, version 1 (compact-encoding; uint = compact varint).
// The blocks themselves are not in it: they stay in the Hypercores and are read in again on open.
//
//   version u8 = 1 | group id (32) | creator (32) | creator's log (32) | my log (32)
//   invited secret: u8 0/1, then (32)
//   sending chain: u8 0/1, then key id (16) | chain key (32) | index uint | created ms uint
//                  | removal epoch uint | shared with: uint count, member (32) each
//   receiving chains: uint count, then per chain author (32) | key id (16) | chain key (32)
//                  | next index uint | first index uint | skipped: uint count, (index uint | key (32)) each
//   processed: uint count, then per log: log (32) | blocks processed uint
//   records: uint count, then per block: log (32) | seq uint | flags u8 (1 plaintext, 2 unreadable,
//            4 group secret) | [plaintext buffer] [unreadable code string] [secret (32)]
//
// It holds secrets (current chain keys, decrypted texts): the caller stores it encrypted, as the
// messenger's store does for everything else. Used message keys are not in it: they are gone.
import * as c from 'compact-encoding'
import { DecodeError } from '../protocol/decode'
import { decodeGroupFormat, type GroupErrorCode } from './errors'
import type { BlockRecord } from './keyring'
import type { Genesis } from './membership'
import { SENDER_KEY_ID_BYTES, type ReceivingState, type SendingState } from './sender-key'

export const SNAPSHOT_VERSION = 1
const fixed16 = c.fixed(SENDER_KEY_ID_BYTES)
const CODES: GroupErrorCode[] = ['no-sender-key', 'duplicate', 'too-many-skipped', 'auth-failed', 'malformed']

export interface GroupSnapshot {
  genesis: Genesis
  myLog: Buffer
  invitedSecret: Buffer | null
  sending: (SendingState & { epoch: number; sharedWith: Buffer[] }) | null
  receiving: ({ author: Buffer } & ReceivingState)[]
  processed: { log: Buffer; length: number }[]
  records: ({ log: Buffer; seq: number } & BlockRecord)[]
}

type Field = [c.Encoder<any>, unknown]

function fields(s: GroupSnapshot): Field[] {
  const out: Field[] = [[c.uint8, SNAPSHOT_VERSION]]
  for (const b of [s.genesis.group, s.genesis.creator, s.genesis.creatorLog, s.myLog]) out.push([c.fixed32, b])
  out.push([c.uint8, s.invitedSecret ? 1 : 0])
  if (s.invitedSecret) out.push([c.fixed32, s.invitedSecret])
  out.push([c.uint8, s.sending ? 1 : 0])
  if (s.sending) {
    const t = s.sending
    out.push([fixed16, t.keyId], [c.fixed32, t.chainKey], [c.uint, t.index], [c.uint, t.createdAt], [c.uint, t.epoch])
    out.push([c.uint, t.sharedWith.length], ...t.sharedWith.map((m): Field => [c.fixed32, m]))
  }
  out.push([c.uint, s.receiving.length])
  for (const r of s.receiving) {
    out.push([c.fixed32, r.author], [fixed16, r.keyId], [c.fixed32, r.chainKey], [c.uint, r.index], [c.uint, r.start])
    out.push([c.uint, r.skipped.length])
    for (const [i, k] of r.skipped) out.push([c.uint, i], [c.fixed32, k])
  }
  out.push([c.uint, s.processed.length])
  for (const p of s.processed) out.push([c.fixed32, p.log], [c.uint, p.length])
  out.push([c.uint, s.records.length])
  for (const r of s.records) {
    const flags = (r.plaintext ? 1 : 0) | (r.unreadable ? 2 : 0) | (r.secret ? 4 : 0)
    out.push([c.fixed32, r.log], [c.uint, r.seq], [c.uint8, flags])
    if (r.plaintext) out.push([c.buffer, r.plaintext])
    if (r.unreadable) out.push([c.string, r.unreadable])
    if (r.secret) out.push([c.fixed32, r.secret])
  }
  return out
}

export function encodeSnapshot(s: GroupSnapshot): Buffer {
  const f = fields(s)
  const state = c.state()
  for (const [enc, v] of f) enc.preencode(state, v)
  state.buffer = Buffer.allocUnsafe(state.end)
  for (const [enc, v] of f) enc.encode(state, v)
  return state.buffer as Buffer
}

/** A count, refused when the bytes left could not hold that many items of at least `min` bytes. */
function count(state: c.State, min: number): number {
  const n = c.uint.decode(state)
  if (n * min > state.end - state.start) throw new DecodeError(`a group snapshot claims ${n} items it cannot hold`)
  return n
}

const key32 = (state: c.State) => c.fixed32.decode(state) as Buffer

function decodeSending(state: c.State): GroupSnapshot['sending'] {
  if (c.uint8.decode(state) === 0) return null
  const keyId = fixed16.decode(state) as Buffer
  const chainKey = key32(state)
  const [index, createdAt, epoch] = [c.uint.decode(state), c.uint.decode(state), c.uint.decode(state)]
  const sharedWith = Array.from({ length: count(state, 32) }, () => key32(state))
  return { keyId, chainKey, index, createdAt, epoch, sharedWith }
}

function decodeReceiving(state: c.State): GroupSnapshot['receiving'][number] {
  const author = key32(state)
  const keyId = fixed16.decode(state) as Buffer
  const chainKey = key32(state)
  const index = c.uint.decode(state)
  const start = c.uint.decode(state)
  const skipped = Array.from({ length: count(state, 33) }, (): [number, Buffer] => [c.uint.decode(state), key32(state)])
  return { author, keyId, chainKey, index, start, skipped }
}

function decodeRecord(state: c.State): GroupSnapshot['records'][number] {
  const log = key32(state)
  const seq = c.uint.decode(state)
  const flags = c.uint8.decode(state)
  const r: GroupSnapshot['records'][number] = { log, seq }
  if (flags & 1) r.plaintext = c.buffer.decode(state) as Buffer
  if (flags & 2) {
    const code = c.string.decode(state) as GroupErrorCode
    if (!CODES.includes(code)) throw new DecodeError(`a group snapshot names an unknown reason ${code}`)
    r.unreadable = code
  }
  if (flags & 4) r.secret = key32(state)
  return r
}

function parse(state: c.State): GroupSnapshot {
  const version = c.uint8.decode(state)
  if (version !== SNAPSHOT_VERSION) throw new DecodeError(`group snapshot version ${version}`, 'unsupported-version')
  const genesis = { group: key32(state), creator: key32(state), creatorLog: key32(state) }
  const myLog = key32(state)
  const invitedSecret = c.uint8.decode(state) === 1 ? key32(state) : null
  const sending = decodeSending(state)
  const receiving = Array.from({ length: count(state, 84) }, () => decodeReceiving(state))
  const processed = Array.from({ length: count(state, 33) }, () => ({ log: key32(state), length: c.uint.decode(state) }))
  const records = Array.from({ length: count(state, 34) }, () => decodeRecord(state))
  return { genesis, myLog, invitedSecret, sending, receiving, processed, records }
}

export function decodeSnapshot(bytes: Uint8Array): GroupSnapshot {
  return decodeGroupFormat(bytes, 'group snapshot', parse)
}

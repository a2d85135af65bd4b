// The one block format of a member's group log, version 1 (compact-encoding; uint = compact varint):
//
//   version u8 = 1 | kind u8: 0 membership operation, 1 message, 2 sender key
//   group id (32) | author: Ed25519 identity (32) | seq uint: the block's index in the author's log
//   heads: uint count, then per head: log key (32) | length uint | BLAKE2b-256 of block length-1 (32)
//   body, by kind:
//     op:          type u8 (0 create, 1 add, 2 remove, 3 promote, 4 leave, 5 rename), then
//                  create: nonce (32) | name string; add: member (32) | member's log key (32);
//                  remove, promote: member (32); leave: nothing; rename: name string
//     message:     sender key id (16) | index uint | nonce (24) | ciphertext buffer
//                  (XChaCha20-Poly1305; AD = every byte of the block before the ciphertext)
//     sender key:  sender key id (16) | uint count, then per recipient: member (32) | sealed buffer
//   signature (64): Ed25519 by the author over "cairn/group/entry/v1" ‖ every byte before it
//
// Heads are the causal references: for each other log whose delivered length grew since the author's
// previous block, its new length and the hash of its last block. Carrying the hash makes a reference
// unambiguous, so two members who saw different versions of one log find out (forks.ts).
// seq and group id are inside the signature, so a block copied to another position, log or group
// is refused rather than replayed.
import * as c from 'compact-encoding'
import { AEAD_NONCE_BYTES, blake2b, sign, verify } from '../crypto'
import { DecodeError } from '../protocol/decode'
import { GroupError, decodeGroupFormat } from './errors'
import { SENDER_KEY_ID_BYTES } from './sender-key'
import { GROUP_ENTRY as SIGNATURE_DOMAIN } from '../protocol/caps'
import {
  MAX_GROUP_BLOCK_BYTES as MAX_ENTRY_BYTES,
  MAX_GROUP_MEMBERS as MAX_MEMBERS,
  MAX_GROUP_NAME_BYTES as MAX_NAME_BYTES
} from '../protocol/limits'

export const ENTRY_VERSION = 1
export {
  MAX_GROUP_BLOCK_BYTES as MAX_ENTRY_BYTES,
  MAX_GROUP_MEMBERS as MAX_MEMBERS,
  MAX_GROUP_NAME_BYTES as MAX_NAME_BYTES
} from '../protocol/limits'
const KINDS = ['op', 'message', 'sender-key'] as const
const OP_TYPES = ['create', 'add', 'remove', 'promote', 'leave', 'rename'] as const

export interface Head {
  log: Buffer
  length: number
  hash: Buffer
}

export type Op =
  | { type: 'create'; nonce: Buffer; name: string }
  | { type: 'add'; member: Buffer; log: Buffer }
  | { type: 'remove'; member: Buffer }
  | { type: 'promote'; member: Buffer }
  | { type: 'leave' }
  | { type: 'rename'; name: string }

export interface SealedShare {
  member: Buffer
  sealed: Buffer
}

export type Body =
  | { kind: 'op'; op: Op }
  | { kind: 'message'; keyId: Buffer; index: number; nonce: Buffer; ciphertext: Buffer }
  | { kind: 'sender-key'; keyId: Buffer; recipients: SealedShare[] }

export interface EntryFields {
  group: Buffer
  author: Buffer
  seq: number
  heads: Head[]
  body: Body
}

export interface Entry extends EntryFields {
  bytes: Buffer
  /** BLAKE2b-256 of the whole block: how heads name it. */
  hash: Buffer
  /** For a message, the bytes its ciphertext is bound to. */
  ad: Buffer
}

const fixed16 = c.fixed(SENDER_KEY_ID_BYTES)
const fixed24 = c.fixed(AEAD_NONCE_BYTES)

/** A block as the sequence of (encoding, value) pairs it is written as: sized and written in one pass each. */
type Field = [c.Encoder<any>, unknown]

function opFields(op: Op): Field[] {
  const out: Field[] = [[c.uint8, OP_TYPES.indexOf(op.type)]]
  if (op.type === 'create') out.push([c.fixed32, op.nonce], [c.string, op.name])
  else if (op.type === 'add') out.push([c.fixed32, op.member], [c.fixed32, op.log])
  else if (op.type === 'remove' || op.type === 'promote') out.push([c.fixed32, op.member])
  else if (op.type === 'rename') out.push([c.string, op.name])
  return out
}

function bodyFields(body: Body): Field[] {
  if (body.kind === 'op') return opFields(body.op)
  if (body.kind === 'message') return [[fixed16, body.keyId], [c.uint, body.index], [fixed24, body.nonce]]
  const out: Field[] = [[fixed16, body.keyId], [c.uint, body.recipients.length]]
  for (const r of body.recipients) out.push([c.fixed32, r.member], [c.buffer, r.sealed])
  return out
}

/** Everything before a message's ciphertext (or before the signature for other kinds). */
function prefixFields(f: EntryFields): Field[] {
  const out: Field[] = [
    [c.uint8, ENTRY_VERSION],
    [c.uint8, KINDS.indexOf(f.body.kind)],
    [c.fixed32, f.group],
    [c.fixed32, f.author],
    [c.uint, f.seq],
    [c.uint, f.heads.length]
  ]
  for (const h of f.heads) out.push([c.fixed32, h.log], [c.uint, h.length], [c.fixed32, h.hash])
  return out.concat(bodyFields(f.body))
}

function write(fields: Field[]): Buffer {
  const state = c.state()
  for (const [enc, v] of fields) enc.preencode(state, v)
  state.buffer = Buffer.allocUnsafe(state.end)
  for (const [enc, v] of fields) enc.encode(state, v)
  return state.buffer as Buffer
}

export function entryHash(bytes: Uint8Array): Buffer {
  return blake2b(32, bytes)
}

/**
 * The bytes a message's ciphertext is bound to, for sealing before the block exists: the block's
 * prefix up to the ciphertext. `body.ciphertext` is ignored here.
 */
export function messageAd(f: EntryFields): Buffer {
  return write(prefixFields(f))
}

/** Writes and signs a block. Throws GroupError('malformed') when it would exceed the format's bounds. */
export function encodeEntry(f: EntryFields, secretKey: Uint8Array): Entry {
  const prefix = write(prefixFields(f))
  const tail = f.body.kind === 'message' ? write([[c.buffer, f.body.ciphertext]]) : Buffer.alloc(0)
  const unsigned = Buffer.concat([prefix, tail])
  const signature = sign(Buffer.concat([SIGNATURE_DOMAIN, unsigned]), secretKey)
  const bytes = Buffer.concat([unsigned, signature])
  if (bytes.byteLength > MAX_ENTRY_BYTES) {
    throw new GroupError('malformed', `a group block of ${bytes.byteLength} bytes, at most ${MAX_ENTRY_BYTES}`)
  }
  return { ...f, bytes, hash: entryHash(bytes), ad: f.body.kind === 'message' ? prefix : Buffer.alloc(0) }
}

function malformed(what: string): DecodeError {
  return new DecodeError(`malformed group block: ${what}`)
}

function count(state: c.State, max: number, what: string): number {
  const n = c.uint.decode(state)
  if (n > max) throw malformed(`${n} ${what}, at most ${max}`)
  return n
}

function name(state: c.State): string {
  const s = c.string.decode(state)
  if (Buffer.byteLength(s) > MAX_NAME_BYTES) throw malformed(`a name over ${MAX_NAME_BYTES} bytes`)
  return s
}

function decodeOp(state: c.State): Op {
  const type = OP_TYPES[c.uint8.decode(state)]
  if (type === 'create') return { type, nonce: c.fixed32.decode(state) as Buffer, name: name(state) }
  if (type === 'add') return { type, member: c.fixed32.decode(state) as Buffer, log: c.fixed32.decode(state) as Buffer }
  if (type === 'remove' || type === 'promote') return { type, member: c.fixed32.decode(state) as Buffer }
  if (type === 'leave') return { type }
  if (type === 'rename') return { type, name: name(state) }
  throw malformed('unknown membership operation')
}

function decodeBody(state: c.State, kind: (typeof KINDS)[number] | undefined): Body {
  if (kind === 'op') return { kind, op: decodeOp(state) }
  if (kind === 'message') {
    const keyId = fixed16.decode(state) as Buffer
    const index = c.uint.decode(state)
    const nonce = fixed24.decode(state) as Buffer
    return { kind, keyId, index, nonce, ciphertext: Buffer.alloc(0) }
  }
  if (kind === 'sender-key') {
    const keyId = fixed16.decode(state) as Buffer
    const n = count(state, MAX_MEMBERS, 'recipients')
    const recipients: SealedShare[] = []
    for (let i = 0; i < n; i++) recipients.push({ member: c.fixed32.decode(state) as Buffer, sealed: c.buffer.decode(state) as Buffer })
    return { kind, keyId, recipients }
  }
  throw malformed('unknown kind')
}

function parse(state: c.State): Entry {
  const buf = state.buffer as Buffer
  const version = c.uint8.decode(state)
  if (version !== ENTRY_VERSION) {
    throw new DecodeError(`group block version ${version}, this build reads ${ENTRY_VERSION}`, 'unsupported-version')
  }
  const kind = KINDS[c.uint8.decode(state)]
  const group = c.fixed32.decode(state) as Buffer
  const author = c.fixed32.decode(state) as Buffer
  const seq = c.uint.decode(state)
  const heads: Head[] = []
  const n = count(state, MAX_MEMBERS, 'heads')
  for (let i = 0; i < n; i++) {
    heads.push({ log: c.fixed32.decode(state) as Buffer, length: c.uint.decode(state), hash: c.fixed32.decode(state) as Buffer })
  }
  const body = decodeBody(state, kind)
  const ad = buf.subarray(0, state.start)
  if (body.kind === 'message') body.ciphertext = c.buffer.decode(state) as Buffer
  if (state.end - state.start !== 64) throw malformed('trailing bytes or a truncated signature')
  state.start = state.end
  return { group, author, seq, heads, body, bytes: buf, hash: entryHash(buf), ad: body.kind === 'message' ? ad : Buffer.alloc(0) }
}

/** A parsed block whose author's signature holds. Throws GroupError; never returns a partial entry. */
export function decodeEntry(bytes: Uint8Array): Entry {
  if (bytes instanceof Uint8Array && bytes.byteLength > MAX_ENTRY_BYTES) {
    throw new GroupError('malformed', `malformed group block: ${bytes.byteLength} bytes, at most ${MAX_ENTRY_BYTES}`)
  }
  const entry = decodeGroupFormat(bytes, 'group block', parse)
  const buf = entry.bytes
  const unsigned = buf.subarray(0, buf.byteLength - 64)
  if (!verify(buf.subarray(buf.byteLength - 64), Buffer.concat([SIGNATURE_DOMAIN, unsigned]), entry.author)) {
    throw new GroupError('bad-signature', "the block's signature is not its author's")
  }
  return entry
}

// Joining a group takes two messages over the pair's existing 1:1 session (so both are end-to-end
// encrypted, authenticated and delivered offline like any message), version 1:
//
//   invite  (admin → contact):  version u8 = 1 | kind u8 = 1 | group id (32) | creator (32)
//                               | creator's log key (32) | group secret (32) | group name string
//   accept  (contact → admin):  version u8 = 1 | kind u8 = 2 | group id (32) | my log key (32)
//   removed (admin → former member): version u8 = 1 | kind u8 = 3 | group id (32)
//
// The removal notice is for a member who was away when an admin removed them: the group's topic
// moved with the removal, so its blocks cannot reach them any more. It is believed only from a
// contact who is an admin of that group in the reader's own replica, and changes nothing but what
// the reader's screen says (nothing after the removal was sealed to them anyway).
//
// The invite gives what a member needs before its addition reaches it: the genesis (to check every
// block it will read) and the group secret (to find the swarm). The accept names the log the admin's
// add operation binds to the contact; only then is the contact a member. The name is a hint for the
// prompt; the group's name is the one in its signed history.
import * as c from 'compact-encoding'
import { DecodeError } from '../protocol/decode'
import { GroupError, decodeGroupFormat } from './errors'
import { MAX_NAME_BYTES } from './entry'
import type { Invitation } from './group'

const INVITE_VERSION = 1
const KIND_INVITE = 1
const KIND_ACCEPT = 2
const KIND_REMOVED = 3
const MAX_INVITE_BYTES = 2 + 4 * 32 + 4 + MAX_NAME_BYTES

export interface Invite extends Invitation {
  name: string
}

export interface Accept {
  group: Buffer
  log: Buffer
}

export function encodeInvite(invite: Invite): Buffer {
  if (Buffer.byteLength(invite.name) > MAX_NAME_BYTES) throw new GroupError('malformed', 'the group name is too long')
  const state = c.state()
  state.end += 2 + 4 * 32
  c.string.preencode(state, invite.name)
  state.buffer = Buffer.allocUnsafe(state.end)
  c.uint8.encode(state, INVITE_VERSION)
  c.uint8.encode(state, KIND_INVITE)
  for (const b of [invite.genesis.group, invite.genesis.creator, invite.genesis.creatorLog, invite.groupSecret]) c.fixed32.encode(state, b)
  c.string.encode(state, invite.name)
  return state.buffer as Buffer
}

export function encodeAccept(accept: Accept): Buffer {
  return Buffer.concat([Buffer.from([INVITE_VERSION, KIND_ACCEPT]), accept.group, accept.log])
}

export function encodeRemoved(group: Buffer): Buffer {
  return Buffer.concat([Buffer.from([INVITE_VERSION, KIND_REMOVED]), group])
}

export function decodeRemoved(bytes: Uint8Array): Buffer {
  return decoded(bytes, KIND_REMOVED, (state) => c.fixed32.decode(state) as Buffer)
}

/** Which of the three messages these bytes claim to be (1 invite, 2 accept, 3 removed); decode them with the matching function. */
export function signalKind(bytes: Uint8Array): number {
  return bytes.byteLength > 1 ? bytes[1] : 0
}

function decoded<T>(bytes: Uint8Array, kind: number, read: (state: c.State) => T): T {
  if (bytes instanceof Uint8Array && bytes.byteLength > MAX_INVITE_BYTES) throw new GroupError('malformed', 'not a group invitation')
  return decodeGroupFormat(bytes, 'group invitation', (state) => {
    const version = c.uint8.decode(state)
    if (version !== INVITE_VERSION) throw new DecodeError(`group invitation version ${version}`, 'unsupported-version')
    if (c.uint8.decode(state) !== kind) throw new DecodeError('another kind of group invitation message')
    return read(state)
  })
}

/**
 * Nothing in an invite can be checked until the creator's first block arrives: the group refuses a
 * create that does not hash to the invite's group id, so a forged genesis yields an empty group.
 */
export function decodeInvite(bytes: Uint8Array): Invite {
  return decoded(bytes, KIND_INVITE, (state) => {
    const [group, creator, creatorLog, groupSecret] = [0, 1, 2, 3].map(() => c.fixed32.decode(state) as Buffer)
    const name = c.string.decode(state)
    if (Buffer.byteLength(name) > MAX_NAME_BYTES) throw new DecodeError('the group name is too long')
    return { genesis: { group, creator, creatorLog }, groupSecret, name }
  })
}

export function decodeAccept(bytes: Uint8Array): Accept {
  return decoded(bytes, KIND_ACCEPT, (state) => ({ group: c.fixed32.decode(state) as Buffer, log: c.fixed32.decode(state) as Buffer }))
}

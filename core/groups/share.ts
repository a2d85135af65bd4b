// A sender key as it travels to one member, version 1, sealed by the pairwise layer (a Sealer):
//
//   version u8 = 1 | group id (32) | author (32) | sender key id (16) | chain key (32) | index uint
//   | group secret (32): the secret the group's swarm topic comes from, as the author knows it (topic.ts)
//
// Group, author and key id are repeated inside the sealed bytes so that a share cannot be moved to
// another group, another author's block, or another key generation: the outer block names them too
// and the two must agree.
import * as c from 'compact-encoding'
import { DecodeError } from '../protocol/decode'
import { GroupError, decodeGroupFormat } from './errors'
import { CHAIN_KEY_BYTES, SENDER_KEY_ID_BYTES, type SenderKeyShare } from './sender-key'

export const SHARE_VERSION = 1
const fixed16 = c.fixed(SENDER_KEY_ID_BYTES)
const SHARE_MAX_BYTES = 1 + 32 + 32 + SENDER_KEY_ID_BYTES + CHAIN_KEY_BYTES + 5 + 32

/**
 * Seals small secrets from one member to another. The app's implementation is a Double Ratchet
 * session per pair (ratchet-sealer.ts), so a sender key delivery has forward secrecy of its own.
 */
export interface Sealer {
  seal(recipient: Buffer, plaintext: Buffer): Buffer
  /** Whether seal() can reach this member now (a pairwise session or their prekey bundle is known); absent: always. */
  canSeal?(recipient: Buffer): boolean
  /** Throws when the bytes were not sealed by `sender` for me. */
  open(sender: Buffer, sealed: Buffer): Buffer
}

export interface AddressedShare extends SenderKeyShare {
  group: Buffer
  author: Buffer
  groupSecret: Buffer
}

export function encodeShare(s: AddressedShare): Buffer {
  const state = c.state()
  c.uint8.preencode(state, SHARE_VERSION)
  state.end += 32 + 32 + SENDER_KEY_ID_BYTES + CHAIN_KEY_BYTES
  c.uint.preencode(state, s.index)
  state.end += 32
  state.buffer = Buffer.allocUnsafe(state.end)
  c.uint8.encode(state, SHARE_VERSION)
  c.fixed32.encode(state, s.group)
  c.fixed32.encode(state, s.author)
  fixed16.encode(state, s.keyId)
  c.fixed32.encode(state, s.chainKey)
  c.uint.encode(state, s.index)
  c.fixed32.encode(state, s.groupSecret)
  return state.buffer as Buffer
}

export function decodeShare(bytes: Buffer): AddressedShare {
  if (bytes.byteLength > SHARE_MAX_BYTES) throw new GroupError('malformed', 'a sender key share is too long')
  return decodeGroupFormat(bytes, 'sender key share', (state) => {
    const version = c.uint8.decode(state)
    if (version !== SHARE_VERSION) throw new DecodeError(`sender key share version ${version}`, 'unsupported-version')
    return {
      group: c.fixed32.decode(state) as Buffer,
      author: c.fixed32.decode(state) as Buffer,
      keyId: fixed16.decode(state) as Buffer,
      chainKey: c.fixed32.decode(state) as Buffer,
      index: c.uint.decode(state),
      groupSecret: c.fixed32.decode(state) as Buffer
    }
  })
}

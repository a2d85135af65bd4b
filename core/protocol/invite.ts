// A one-time invite: the code a hidden person hands out so one stranger can reach them. It names the
// inviter and carries a secret from which both ends derive the key of a short-lived inbox the inviter
// listens on; the invitee dials that key directly, so no topic of the inviter's is ever announced.
// Text form: prefix ‖ z-base-32 of (version 1 ‖ inviter's public key ‖ 16-byte secret ‖ 3-byte checksum).
import * as z32 from 'z32'
import { CairnError } from '../api/errors'
import { blake2b, ed25519KeyPair, isEd25519PublicKey, memzero } from '../crypto'
import type { IdentityKeyPair } from '../identity/keys'
import { INVITE_CHECKSUM, INVITE_KEY, INVITE_PREFIX } from './caps'

const VERSION = 1
const KEY_BYTES = 32
export const INVITE_SECRET_BYTES = 16
const CHECKSUM_BYTES = 3
const BODY_BYTES = 1 + KEY_BYTES + INVITE_SECRET_BYTES

export interface Invite {
  inviter: Buffer
  secret: Buffer
}

function checksum(body: Buffer): Buffer {
  return blake2b(16, body, INVITE_CHECKSUM).subarray(0, CHECKSUM_BYTES)
}

function invalid(message: string): CairnError {
  return new CairnError('invalid-argument', `not an invite code: ${message}`)
}

export function encodeInvite(invite: Invite): string {
  const body = Buffer.concat([Buffer.from([VERSION]), invite.inviter, invite.secret])
  if (body.length !== BODY_BYTES) throw new CairnError('invalid-argument', 'an invite is a 32-byte key and a 16-byte secret')
  return INVITE_PREFIX + z32.encode(Buffer.concat([body, checksum(body)]))
}

/** Throws CairnError('invalid-argument') saying what is wrong with the text. */
export function decodeInvite(text: string): Invite {
  const trimmed = text.trim()
  if (!trimmed.startsWith(INVITE_PREFIX)) throw invalid(`it does not start with ${INVITE_PREFIX}`)
  let bytes: Buffer
  try {
    bytes = Buffer.from(z32.decode(trimmed.slice(INVITE_PREFIX.length)))
  } catch {
    throw invalid('it has characters that are not z-base-32')
  }
  if (bytes.length !== BODY_BYTES + CHECKSUM_BYTES) throw invalid('it is truncated or too long')
  const body = bytes.subarray(0, BODY_BYTES)
  if (!checksum(body).equals(bytes.subarray(BODY_BYTES))) throw invalid('the checksum does not match (mistyped?)')
  if (body[0] !== VERSION) throw invalid(`version ${body[0]} is not supported`)
  const inviter = Buffer.from(body.subarray(1, 1 + KEY_BYTES))
  if (!isEd25519PublicKey(inviter)) throw invalid("the inviter's key is not a valid public key")
  return { inviter, secret: Buffer.from(body.subarray(1 + KEY_BYTES)) }
}

/** The key pair the inviter's short-lived inbox listens under; the invitee derives it to dial it. */
export function inviteKeyPair(secret: Uint8Array): IdentityKeyPair {
  const seed = blake2b(32, secret, INVITE_KEY)
  const keyPair = ed25519KeyPair(seed)
  memzero(seed)
  return keyPair
}

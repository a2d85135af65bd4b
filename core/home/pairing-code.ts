// The one-time pairing code `cairn home init` prints: z-base32 of
//   version (1) | box public key (32) | code id (16) | secret (16) | checksum (2: BLAKE2b-128, cut)
// The box key lets the device dial the box directly and authenticates the box (Noise proves the
// remote holds that key); the secret, never sent, authenticates the device: it answers with a MAC
// over both stream keys, so a code seen by someone else is useless once used, and a proof taken
// from one connection does not work on another. A typo fails the checksum before anything is dialled.
import z32 from 'z32'
import { blake2b, randomBytes } from '../crypto'
import { HOME_PAIR_PROOF } from '../protocol/caps'
import { HomeError } from './errors'
import { CODE_ID_BYTES, KEY_BYTES } from './wire'

export const CODE_VERSION = 1
export const SECRET_BYTES = 16
const CHECK_BYTES = 2
const CODE_BYTES = 1 + KEY_BYTES + CODE_ID_BYTES + SECRET_BYTES + CHECK_BYTES
const PROOF_TAG = HOME_PAIR_PROOF

/** BLAKE2b's shortest output is 16 bytes: the checksum is the first two of it. */
function checksum(body: Uint8Array): Buffer {
  return blake2b(16, body).subarray(0, CHECK_BYTES)
}

export interface PairingCode {
  boxKey: Buffer
  codeId: Buffer
  secret: Buffer
}

export function newPairingCode(boxKey: Buffer): PairingCode {
  return { boxKey: Buffer.from(boxKey), codeId: randomBytes(CODE_ID_BYTES), secret: randomBytes(SECRET_BYTES) }
}

export function encodePairingCode(code: PairingCode): string {
  const body = Buffer.concat([Buffer.from([CODE_VERSION]), code.boxKey, code.codeId, code.secret])
  return z32.encode(Buffer.concat([body, checksum(body)]))
}

/** Throws HomeError('bad-pairing-code') for a mistyped, truncated or foreign code. */
export function decodePairingCode(text: string): PairingCode {
  let raw: Buffer
  try {
    raw = Buffer.from(z32.decode(text.trim()))
  } catch {
    throw new HomeError('bad-pairing-code', 'the pairing code has characters that are not in a code')
  }
  if (raw.byteLength !== CODE_BYTES) throw new HomeError('bad-pairing-code', 'the pairing code is incomplete: copy all of it')
  const body = raw.subarray(0, CODE_BYTES - CHECK_BYTES)
  if (!checksum(body).equals(raw.subarray(CODE_BYTES - CHECK_BYTES))) {
    throw new HomeError('bad-pairing-code', 'the pairing code has a typo (its checksum does not match)')
  }
  if (body[0] !== CODE_VERSION) throw new HomeError('bad-pairing-code', `pairing code version ${body[0]} is not supported`)
  let at = 1
  const take = (n: number) => Buffer.from(body.subarray(at, (at += n)))
  return { boxKey: take(KEY_BYTES), codeId: take(CODE_ID_BYTES), secret: take(SECRET_BYTES) }
}

/** The device's answer to the code, bound to this box and this device's stream key. */
export function pairingProof(secret: Uint8Array, boxKey: Uint8Array, deviceKey: Uint8Array): Buffer {
  return blake2b(KEY_BYTES, Buffer.concat([PROOF_TAG, boxKey, deviceKey]), secret)
}

// The ratchet's key derivations (Signal's Double Ratchet specification, §5.2 recommendations):
//   KDF_RK(rk, dh) = HKDF-SHA256(salt = rk, ikm = dh, info = "cairn/ratchet/root/v1", 64 bytes)
//                    → new root key (first 32) ‖ new chain key (last 32)
//   KDF_CK(ck)     = message key  BLAKE2b-256(key = ck, data = 0x01)
//                    next chain   BLAKE2b-256(key = ck, data = 0x02)
// Keyed BLAKE2b is a PRF, like the HMAC the specification suggests, at one native call per output.
import { blake2b, hkdf, memzero } from '../crypto'
import { CHAIN_MESSAGE_KEY, CHAIN_NEXT_KEY, RATCHET_ROOT, X3DH } from '../protocol/caps'

export function kdfRk(rootKey: Uint8Array, dhOutput: Uint8Array): { rootKey: Buffer; chainKey: Buffer } {
  const okm = hkdf(dhOutput, rootKey, RATCHET_ROOT, 64)
  const keys = { rootKey: Buffer.from(okm.subarray(0, 32)), chainKey: Buffer.from(okm.subarray(32)) }
  memzero(okm)
  return keys
}

export function kdfCk(chainKey: Uint8Array): { messageKey: Buffer; chainKey: Buffer } {
  return { messageKey: blake2b(32, CHAIN_MESSAGE_KEY, chainKey), chainKey: blake2b(32, CHAIN_NEXT_KEY, chainKey) }
}

const X3DH_PAD = Buffer.alloc(32, 0xff)
const X3DH_SALT = Buffer.alloc(32)

/**
 * X3DH's SK from the concatenated DH outputs: HKDF-SHA256(salt = 32 zero bytes,
 * ikm = 0xFF×32 ‖ DH1 ‖ DH2 [‖ DH3], info = "cairn/x3dh/v1" ‖ initiator identity ‖ responder identity
 * ‖ prekey id (u32 LE) ‖ prekey [‖ one-time prekey id (u32 LE) ‖ one-time prekey]). 48 bytes: the
 * first root key (32) and the session id (16). With a one-time prekey the ikm ends with DH4.
 */
export function x3dhSecret(
  dhOutputs: Buffer[],
  initiator: Uint8Array,
  responder: Uint8Array,
  prekeyId: number,
  prekey: Uint8Array,
  oneTime: { id: number; publicKey: Uint8Array } | null = null
): { rootKey: Buffer; sessionId: Buffer } {
  const ikm = Buffer.concat([X3DH_PAD, ...dhOutputs])
  const info = [X3DH, initiator, responder, u32(prekeyId), prekey]
  if (oneTime) info.push(u32(oneTime.id), oneTime.publicKey)
  const okm = hkdf(ikm, X3DH_SALT, Buffer.concat(info), 48)
  memzero(ikm)
  for (const dh of dhOutputs) memzero(dh)
  const out = { rootKey: Buffer.from(okm.subarray(0, 32)), sessionId: Buffer.from(okm.subarray(32)) }
  memzero(okm)
  return out
}

function u32(n: number): Buffer {
  const out = Buffer.alloc(4)
  out.writeUInt32LE(n)
  return out
}

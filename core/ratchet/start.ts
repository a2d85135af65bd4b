// The X3DH-style agreement that starts a session (see ./index.ts): both sides' halves, each
// returning the shared secret and what the session goes on with. Every DH output and secret
// copy made here is zeroed before returning.
import { ed25519PublicToX25519, ed25519SecretToX25519, memzero, x25519, x25519KeyPair, type X25519KeyPair } from '../crypto'
import type { IdentityKeyPair } from '../identity/keys'
import type { InitialHeader } from './envelope'
import { RatchetError } from './errors'
import { x3dhSecret } from './kdf'
import { verifyOneTimePrekey, type OneTimePrekey, type PublishedOneTimePrekey } from './one-time'
import { STATIC_PREKEY_ID, verifyBundle, type PrekeyBundle, type SignedPrekey } from './prekey'

export interface Secret {
  rootKey: Buffer
  sessionId: Buffer
}

export function checkIdentity(key: Uint8Array, whose: string): Buffer {
  const x = key instanceof Uint8Array ? ed25519PublicToX25519(key) : null
  if (!x) throw new RatchetError('malformed', `${whose} identity key is not a valid Ed25519 public key`)
  return x
}

export function dh(secretKey: Uint8Array, publicKey: Uint8Array): Buffer {
  const out = x25519(secretKey, publicKey)
  if (!out) throw new RatchetError('malformed', 'a public key in the exchange is a low-order point')
  return out
}

/**
 * The initiator's half: DH1 = DH(IK_A, SPK_B), DH2 = DH(EK_A, IK_B), DH3 = DH(EK_A, SPK_B) and,
 * with one of their one-time prekeys, DH4 = DH(EK_A, OPK_B).
 */
export function initiatorSecret(
  me: IdentityKeyPair,
  theirIdentity: Uint8Array,
  bundle: PrekeyBundle,
  oneTime: PublishedOneTimePrekey | null
): { secret: Secret; pending: InitialHeader } {
  const theirX = checkIdentity(theirIdentity, 'their')
  if (!bundle) throw new RatchetError('malformed', 'a session starts only from the contact\'s signed prekey bundle')
  verifyBundle(bundle, theirIdentity)
  if (oneTime) verifyOneTimePrekey(oneTime, theirIdentity)
  const { prekey, prekeyId } = bundle
  const myX = ed25519SecretToX25519(me.secretKey)
  const ephemeral = x25519KeyPair()
  try {
    const outputs = [dh(myX, prekey), dh(ephemeral.secretKey, theirX), dh(ephemeral.secretKey, prekey)]
    if (oneTime) outputs.push(dh(ephemeral.secretKey, oneTime.publicKey))
    const secret = x3dhSecret(outputs, me.publicKey, theirIdentity, prekeyId, prekey, oneTime)
    const pending: InitialHeader = { ephemeral: ephemeral.publicKey, prekeyId }
    if (oneTime) pending.oneTimeId = oneTime.id
    return { secret, pending }
  } finally {
    memzero(myX)
    memzero(ephemeral.secretKey)
  }
}

function signedPrekeyPair(id: number, prekey: (id: number) => SignedPrekey | null): X25519KeyPair {
  const found = prekey(id)
  if (!found) throw new RatchetError('unknown-prekey', `no signed prekey with id ${id}`)
  if (found.publicKey?.byteLength !== 32 || found.secretKey?.byteLength !== 32) {
    throw new RatchetError('malformed', `signed prekey ${id} is not an X25519 key pair`)
  }
  return { publicKey: Buffer.from(found.publicKey), secretKey: Buffer.from(found.secretKey) }
}

function oneTimePair(id: number, oneTime: (id: number) => OneTimePrekey | null): X25519KeyPair {
  const found = oneTime(id)
  if (!found) throw new RatchetError('unknown-prekey', `no one-time prekey with id ${id}: used already, or never made`)
  if (found.publicKey?.byteLength !== 32 || found.secretKey?.byteLength !== 32) {
    throw new RatchetError('malformed', `one-time prekey ${id} is not an X25519 key pair`)
  }
  return { publicKey: Buffer.from(found.publicKey), secretKey: Buffer.from(found.secretKey) }
}

/**
 * The responder's half, from the initial header. Prekey id 0 is the static-static start of earlier
 * releases (SK = DH(IK_A, IK_B) ‖ DH(EK_A, IK_B)). Returns the signed prekey pair the session
 * ratchets on; the caller zeroes it if the envelope then fails.
 */
export function responderSecret(
  me: IdentityKeyPair,
  theirIdentity: Uint8Array,
  initial: InitialHeader,
  prekey: (id: number) => SignedPrekey | null,
  oneTime: (id: number) => OneTimePrekey | null
): { secret: Secret; spk: X25519KeyPair } {
  const theirX = checkIdentity(theirIdentity, 'their')
  const myX = ed25519SecretToX25519(me.secretKey)
  const ek = initial.ephemeral
  let spk: X25519KeyPair | null = null
  let opk: X25519KeyPair | null = null
  try {
    if (initial.prekeyId === STATIC_PREKEY_ID) {
      if (initial.oneTimeId !== undefined) throw new RatchetError('malformed', 'a static start cannot name a one-time prekey')
      spk = { publicKey: checkIdentity(me.publicKey, 'my'), secretKey: Buffer.from(myX) }
      const secret = x3dhSecret([dh(myX, theirX), dh(myX, ek)], theirIdentity, me.publicKey, STATIC_PREKEY_ID, spk.publicKey)
      return { secret, spk }
    }
    spk = signedPrekeyPair(initial.prekeyId, prekey)
    if (initial.oneTimeId !== undefined) opk = oneTimePair(initial.oneTimeId, oneTime)
    const outputs = [dh(spk.secretKey, theirX), dh(myX, ek), dh(spk.secretKey, ek)]
    if (opk) outputs.push(dh(opk.secretKey, ek))
    const named = opk ? { id: initial.oneTimeId!, publicKey: opk.publicKey } : null
    const secret = x3dhSecret(outputs, theirIdentity, me.publicKey, initial.prekeyId, spk.publicKey, named)
    return { secret, spk }
  } catch (err) {
    if (spk) memzero(spk.secretKey)
    throw err
  } finally {
    memzero(myX)
    if (opk) memzero(opk.secretKey)
  }
}

import * as c from 'compact-encoding'
import { AEAD_TAG_BYTES, aeadOpen, aeadSealInto, memzero, randomNonce, x25519KeyPair } from '../crypto'
import type { IdentityKeyPair } from '../identity/keys'
import { MAX_ENVELOPE_BYTES, decodeEnvelope, headerLength, writeHeader, type Envelope } from './envelope'
import { RatchetError } from './errors'
import { kdfCk, kdfRk } from './kdf'
import type { OneTimePrekey, PublishedOneTimePrekey } from './one-time'
import type { PrekeyBundle, SignedPrekey } from './prekey'
import { dh, initiatorSecret, responderSecret } from './start'
import {
  MAX_PREVIOUS_CHAINS,
  MAX_SKIP,
  MAX_STORED_SKIPPED,
  SKIPPED_KEY_CHAINS,
  decodeState,
  encodeState,
  skippedKeyId,
  type RatchetState
} from './state'

/** The largest plaintext that fits in one envelope, the largest initial header included. */
export const MAX_PLAINTEXT_BYTES = MAX_ENVELOPE_BYTES - headerLength(true) - AEAD_TAG_BYTES
const MAX_COUNTER = 0xffffffff

function zeroAll(keys: Buffer[]): void {
  for (const k of keys) memzero(k)
}

/** The message keys of positions [from, to) of a chain, and the chain key reached at `to` (`chainKey` itself when from = to). */
function advance(chainKey: Buffer, from: number, to: number): { keys: Buffer[]; chainKey: Buffer } {
  const keys: Buffer[] = []
  let chain = chainKey
  for (let i = from; i < to; i++) {
    const step = kdfCk(chain)
    keys.push(step.messageKey)
    if (chain !== chainKey) memzero(chain)
    chain = step.chainKey
  }
  return { keys, chainKey: chain }
}

/**
 * One Double Ratchet session with one contact. Every method either completes or throws a
 * RatchetError with the session exactly as it was: decrypt computes on the side and commits only
 * once the message has authenticated.
 */
export class Session {
  private readonly s: RatchetState
  private readonly sendAd: Buffer
  private readonly receiveAd: Buffer

  private constructor(state: RatchetState) {
    this.s = state
    this.sendAd = Buffer.concat([state.self, state.peer])
    this.receiveAd = Buffer.concat([state.peer, state.self])
  }

  /**
   * Starts a session from the contact's signed prekey bundle and, when their home node handed me
   * one, one of their one-time prekeys (./start.ts); see the notes in ./index.ts. There is no start
   * without a bundle: a message written before it is known waits for it.
   */
  static initiate(
    me: IdentityKeyPair,
    theirIdentity: Uint8Array,
    bundle: PrekeyBundle,
    oneTime: PublishedOneTimePrekey | null = null
  ): Session {
    const { secret, pending } = initiatorSecret(me, theirIdentity, bundle, oneTime)
    const dhs = x25519KeyPair()
    const ratchet = dh(dhs.secretKey, bundle.prekey)
    const first = kdfRk(secret.rootKey, ratchet)
    memzero(ratchet)
    memzero(secret.rootKey)
    return new Session({
      id: secret.sessionId,
      self: Buffer.from(me.publicKey),
      peer: Buffer.from(theirIdentity),
      rootKey: first.rootKey,
      dhs,
      dhr: Buffer.from(bundle.prekey),
      cks: first.chainKey,
      ckr: null,
      ns: 0,
      nr: 0,
      pn: 0,
      pending,
      previous: [],
      skipped: new Map()
    })
  }

  /**
   * Accepts a contact's initial envelope: derives the session it started and decrypts the message.
   * An envelope naming a one-time prekey needs it from `oneTime`; the caller deletes that key when
   * it commits the session, so a replay of the envelope finds it gone ('unknown-prekey').
   */
  static respond(
    me: IdentityKeyPair,
    theirIdentity: Uint8Array,
    envelope: Uint8Array,
    prekey: (id: number) => SignedPrekey | null,
    oneTime: (id: number) => OneTimePrekey | null = () => null
  ): { session: Session; plaintext: Buffer; oneTimeId: number | null } {
    const env = decodeEnvelope(envelope)
    if (!env.initial) throw new RatchetError('malformed', 'not an initial envelope: it does not start a session')
    const { secret, spk } = responderSecret(me, theirIdentity, env.initial, prekey, oneTime)
    if (!secret.sessionId.equals(env.sessionId)) {
      memzero(spk.secretKey)
      memzero(secret.rootKey)
      throw new RatchetError('auth-failed', 'the initial envelope was not made for this identity and prekey')
    }
    const session = new Session({
      id: secret.sessionId,
      self: Buffer.from(me.publicKey),
      peer: Buffer.from(theirIdentity),
      rootKey: secret.rootKey,
      dhs: spk,
      dhr: null,
      cks: null,
      ckr: null,
      ns: 0,
      nr: 0,
      pn: 0,
      pending: null,
      previous: [],
      skipped: new Map()
    })
    try {
      return { session, plaintext: session.decryptParsed(env), oneTimeId: env.initial.oneTimeId ?? null }
    } catch (err) {
      memzero(spk.secretKey)
      memzero(secret.rootKey)
      throw err
    }
  }

  static decode(bytes: Uint8Array): Session {
    return new Session(decodeState(bytes))
  }

  /** The session id, the same on both sides and carried in every envelope. */
  get id(): Buffer {
    return this.s.id
  }

  /** True until the contact has answered: envelopes still carry the session-start header. */
  get awaitingReply(): boolean {
    return this.s.pending !== null
  }

  encode(): Buffer {
    return encodeState(this.s)
  }

  encrypt(plaintext: Uint8Array): Buffer {
    const s = this.s
    if (!(plaintext instanceof Uint8Array)) throw new RatchetError('malformed', 'the plaintext must be bytes')
    if (plaintext.byteLength > MAX_PLAINTEXT_BYTES) {
      throw new RatchetError('malformed', `plaintext of ${plaintext.byteLength} bytes, at most ${MAX_PLAINTEXT_BYTES}`)
    }
    if (!s.cks) throw new RatchetError('malformed', 'the session has no sending chain')
    if (s.ns >= MAX_COUNTER) throw new RatchetError('too-many-skipped', 'the sending chain is exhausted')
    const { messageKey, chainKey } = kdfCk(s.cks)
    const headerBytes = headerLength(s.pending)
    const adBytes = 64 + headerBytes
    // One buffer holds sender identity ‖ receiver identity ‖ header ‖ ciphertext: the AD is its
    // first part and the envelope its last, so nothing is copied.
    const out = Buffer.allocUnsafe(adBytes + plaintext.byteLength + AEAD_TAG_BYTES)
    this.sendAd.copy(out, 0)
    const nonce = randomNonce()
    writeHeader(c.state(64, adBytes, out), s.id, s.pending, s.dhs.publicKey, s.pn, s.ns, nonce)
    aeadSealInto(out.subarray(adBytes), plaintext, out.subarray(0, adBytes), nonce, messageKey)
    memzero(messageKey)
    memzero(s.cks)
    s.cks = chainKey
    s.ns++
    return out.subarray(64)
  }

  decrypt(envelope: Uint8Array): Buffer {
    return this.decryptParsed(decodeEnvelope(envelope))
  }

  private open(env: Envelope, messageKey: Buffer): Buffer | null {
    return aeadOpen(env.ciphertext, Buffer.concat([this.receiveAd, env.header]), env.nonce, messageKey)
  }

  private decryptParsed(env: Envelope): Buffer {
    const s = this.s
    if (!env.sessionId.equals(s.id)) throw new RatchetError('wrong-session', 'the envelope belongs to another session')

    if (s.skipped.size > 0) {
      const id = skippedKeyId(env.dh, env.n)
      const skipped = s.skipped.get(id)
      if (skipped) {
        const plaintext = this.open(env, skipped.messageKey)
        if (!plaintext) throw new RatchetError('auth-failed', 'the envelope does not authenticate')
        s.skipped.delete(id)
        memzero(skipped.messageKey)
        s.pending = null
        return plaintext
      }
    }

    if (s.dhr && s.ckr && env.dh.equals(s.dhr)) return this.decryptInChain(env, s.ckr)
    if (s.previous.some((old) => old.equals(env.dh))) {
      throw new RatchetError('duplicate', `message ${env.n} of a finished chain was already received or never existed`)
    }
    return this.decryptWithRatchetStep(env)
  }

  private decryptInChain(env: Envelope, ckr: Buffer): Buffer {
    const s = this.s
    if (env.n < s.nr) throw new RatchetError('duplicate', `message ${env.n} of this chain was already received`)
    if (env.n - s.nr > MAX_SKIP) {
      throw new RatchetError('too-many-skipped', `message ${env.n} would skip ${env.n - s.nr} keys, at most ${MAX_SKIP}`)
    }
    const skipped = advance(ckr, s.nr, env.n)
    const step = kdfCk(skipped.chainKey)
    if (skipped.chainKey !== ckr) memzero(skipped.chainKey)
    const plaintext = this.open(env, step.messageKey)
    memzero(step.messageKey)
    if (!plaintext) {
      zeroAll(skipped.keys)
      memzero(step.chainKey)
      throw new RatchetError('auth-failed', 'the envelope does not authenticate')
    }
    this.storeSkipped(s.dhr!, s.nr, skipped.keys)
    memzero(ckr)
    s.ckr = step.chainKey
    s.nr = env.n + 1
    s.pending = null
    return plaintext
  }

  private decryptWithRatchetStep(env: Envelope): Buffer {
    const s = this.s
    const oldSkip = s.ckr ? Math.max(0, env.pn - s.nr) : 0
    if (oldSkip > MAX_SKIP || env.n > MAX_SKIP) {
      throw new RatchetError('too-many-skipped', `the envelope would skip more than ${MAX_SKIP} keys in one chain`)
    }
    const received = dh(s.dhs.secretKey, env.dh)
    const old = s.ckr ? advance(s.ckr, s.nr, s.nr + oldSkip) : null
    const root = kdfRk(s.rootKey, received)
    memzero(received)
    const skipped = advance(root.chainKey, 0, env.n)
    const step = kdfCk(skipped.chainKey)
    if (skipped.chainKey !== root.chainKey) memzero(skipped.chainKey)
    memzero(root.chainKey)
    const plaintext = this.open(env, step.messageKey)
    memzero(step.messageKey)
    if (!plaintext) {
      if (old) {
        zeroAll(old.keys)
        if (old.chainKey !== s.ckr) memzero(old.chainKey)
      }
      zeroAll(skipped.keys)
      memzero(step.chainKey)
      memzero(root.rootKey)
      throw new RatchetError('auth-failed', 'the envelope does not authenticate')
    }

    const dhr = Buffer.from(env.dh)
    if (old) {
      this.storeSkipped(s.dhr!, s.nr, old.keys)
      if (old.chainKey !== s.ckr) memzero(old.chainKey)
    }
    this.storeSkipped(dhr, 0, skipped.keys)
    if (s.dhr) {
      s.previous.push(s.dhr)
      if (s.previous.length > MAX_PREVIOUS_CHAINS) s.previous.shift()
    }
    const dhs = x25519KeyPair()
    const sent = dh(dhs.secretKey, dhr)
    const next = kdfRk(root.rootKey, sent)
    memzero(sent)
    memzero(root.rootKey)
    memzero(s.rootKey)
    memzero(s.dhs.secretKey)
    if (s.ckr) memzero(s.ckr)
    if (s.cks) memzero(s.cks)
    s.rootKey = next.rootKey
    s.dhs = dhs
    s.dhr = dhr
    s.cks = next.chainKey
    s.ckr = step.chainKey
    s.pn = s.ns
    s.ns = 0
    s.nr = env.n + 1
    s.pending = null
    this.expireSkipped()
    return plaintext
  }

  /** Drops the skipped keys of chains more than SKIPPED_KEY_CHAINS receiving ratchet steps old. */
  private expireSkipped(): void {
    const s = this.s
    const live = new Set([...s.previous.slice(-SKIPPED_KEY_CHAINS), s.dhr!].map((k) => k.toString('hex')))
    for (const [id, key] of s.skipped) {
      if (live.has(key.dh.toString('hex'))) continue
      s.skipped.delete(id)
      memzero(key.messageKey)
    }
  }

  private storeSkipped(dh: Buffer, from: number, keys: Buffer[]): void {
    const s = this.s
    for (let i = 0; i < keys.length; i++) {
      s.skipped.set(skippedKeyId(dh, from + i), { dh, n: from + i, messageKey: keys[i] })
    }
    while (s.skipped.size > MAX_STORED_SKIPPED) {
      const [oldest, key] = s.skipped.entries().next().value!
      s.skipped.delete(oldest)
      memzero(key.messageKey)
    }
  }
}

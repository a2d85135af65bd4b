import * as c from 'compact-encoding'
import type { IdentityKeyPair } from '../identity'
import { RatchetError, Session, inspectEnvelope, type PrekeyBundle, type SignedPrekey } from '../ratchet'
import { DecodeError } from '../protocol/decode'
import { GroupError, decodeGroupFormat } from './errors'
import type { Sealer } from './share'

const SEALER_VERSION = 1

function sessionOf(bytes: Buffer): Session {
  try {
    return Session.decode(bytes)
  } catch (err) {
    throw new DecodeError(`a pairwise session in the sealer state: ${(err as Error).message}`)
  }
}
const fixed16 = c.fixed(16)

/**
 * Seals sender keys over one Double Ratchet session per pair of members, started from the
 * recipient's signed prekey bundle so the first delivery already has X3DH's protections. When both
 * sides started a session at once, both settle on the one started by the smaller identity key, so
 * replies flow on one session and its DH ratchet turns (healing after a key leak).
 *
 * Persisted form, version 1: version u8 = 1 | sessions: uint count, then peer (32) | session state
 * buffer (core/ratchet's own format) | outbound: uint count, then peer (32) | session id (16) | mine u8.
 * It holds the sessions' secrets: the caller stores it encrypted.
 */
export class RatchetSealer implements Sealer {
  private readonly sessions = new Map<string, Session>()
  private readonly outbound = new Map<string, { session: Session; mine: boolean }>()

  constructor(
    private readonly me: IdentityKeyPair,
    private readonly bundleOf: (member: Buffer) => PrekeyBundle | null,
    private readonly prekey: (id: number) => SignedPrekey | null
  ) {}

  encode(): Buffer {
    const state = c.state()
    const sessions = [...this.sessions].map(([key, s]) => ({ peer: Buffer.from(key.slice(0, 64), 'hex'), bytes: s.encode() }))
    const outbound = [...this.outbound].map(([peer, o]) => ({ peer: Buffer.from(peer, 'hex'), id: o.session.id, mine: o.mine }))
    const write = (pass: 'preencode' | 'encode') => {
      c.uint8[pass](state, SEALER_VERSION)
      c.uint[pass](state, sessions.length)
      for (const s of sessions) {
        c.fixed32[pass](state, s.peer)
        c.buffer[pass](state, s.bytes)
      }
      c.uint[pass](state, outbound.length)
      for (const o of outbound) {
        c.fixed32[pass](state, o.peer)
        fixed16[pass](state, o.id)
        c.uint8[pass](state, o.mine ? 1 : 0)
      }
    }
    write('preencode')
    state.buffer = Buffer.allocUnsafe(state.end)
    write('encode')
    return state.buffer as Buffer
  }

  static decode(
    bytes: Uint8Array,
    me: IdentityKeyPair,
    bundleOf: (member: Buffer) => PrekeyBundle | null,
    prekey: (id: number) => SignedPrekey | null
  ): RatchetSealer {
    const sealer = new RatchetSealer(me, bundleOf, prekey)
    decodeGroupFormat(bytes, 'sealer state', (state) => {
      const version = c.uint8.decode(state)
      if (version !== SEALER_VERSION) throw new DecodeError(`sealer state version ${version}`, 'unsupported-version')
      const n = c.uint.decode(state)
      for (let i = 0; i < n; i++) {
        const peer = (c.fixed32.decode(state) as Buffer).toString('hex')
        const session = sessionOf(c.buffer.decode(state) as Buffer)
        sealer.sessions.set(`${peer}:${session.id.toString('hex')}`, session)
      }
      const m = c.uint.decode(state)
      for (let i = 0; i < m; i++) {
        const peer = (c.fixed32.decode(state) as Buffer).toString('hex')
        const session = sealer.sessions.get(`${peer}:${(fixed16.decode(state) as Buffer).toString('hex')}`)
        const mine = c.uint8.decode(state) === 1
        if (!session) throw new DecodeError('sealer state names a session it does not hold')
        sealer.outbound.set(peer, { session, mine })
      }
    })
    return sealer
  }

  canSeal(recipient: Buffer): boolean {
    return this.outbound.has(recipient.toString('hex')) || this.bundleOf(recipient) !== null
  }

  seal(recipient: Buffer, plaintext: Buffer): Buffer {
    const peer = recipient.toString('hex')
    let out = this.outbound.get(peer)
    if (!out) {
      const bundle = this.bundleOf(recipient)
      // Every pairwise session starts from the member's signed prekey (no static-static start).
      if (bundle === null) throw new GroupError('malformed', 'no prekey bundle is known for this member yet')
      const session = Session.initiate(this.me, recipient, bundle)
      this.sessions.set(`${peer}:${session.id.toString('hex')}`, session)
      out = { session, mine: true }
      this.outbound.set(peer, out)
    }
    return out.session.encrypt(plaintext)
  }

  open(sender: Buffer, sealed: Buffer): Buffer {
    const peer = sender.toString('hex')
    try {
      const { sessionId, initial } = inspectEnvelope(sealed)
      const key = `${peer}:${sessionId.toString('hex')}`
      const known = this.sessions.get(key)
      if (known) return known.decrypt(sealed)
      if (!initial) throw new GroupError('no-sender-key', 'sealed for a pairwise session I do not have')
      const { session, plaintext } = Session.respond(this.me, sender, sealed, this.prekey)
      this.sessions.set(key, session)
      const out = this.outbound.get(peer)
      if (!out || (out.mine && Buffer.compare(sender, this.me.publicKey) < 0)) this.outbound.set(peer, { session, mine: false })
      return plaintext
    } catch (err) {
      if (err instanceof RatchetError) throw new GroupError('auth-failed', `a sealed sender key did not open: ${err.message}`)
      throw err
    }
  }
}

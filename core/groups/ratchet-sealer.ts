import type { IdentityKeyPair } from '../identity'
import { RatchetError, Session, inspectEnvelope, type PrekeyBundle, type SignedPrekey } from '../ratchet'
import { GroupError } from './errors'
import type { Sealer } from './share'

/**
 * Seals sender keys over one Double Ratchet session per pair of members, started from the
 * recipient's signed prekey bundle so the first delivery already has X3DH's protections. When both
 * sides started a session at once, both settle on the one started by the smaller identity key, so
 * replies flow on one session and its DH ratchet turns (healing after a key leak).
 * Sessions live in memory here; the messenger persists its own pairwise sessions.
 */
export class RatchetSealer implements Sealer {
  private readonly sessions = new Map<string, Session>()
  private readonly outbound = new Map<string, { session: Session; mine: boolean }>()

  constructor(
    private readonly me: IdentityKeyPair,
    private readonly bundleOf: (member: Buffer) => PrekeyBundle | null,
    private readonly prekey: (id: number) => SignedPrekey | null
  ) {}

  seal(recipient: Buffer, plaintext: Buffer): Buffer {
    const peer = recipient.toString('hex')
    let out = this.outbound.get(peer)
    if (!out) {
      const session = Session.initiate(this.me, recipient, this.bundleOf(recipient))
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

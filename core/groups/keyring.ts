import { AEAD_NONCE_BYTES, aeadOpen, aeadSeal, blake2b, memzero } from '../crypto'
import { GROUP_MESSAGE_NONCE as NONCE_INPUT } from '../protocol/caps'
import type { IdentityKeyPair } from '../identity'
import type { Body, Entry, SealedShare } from './entry'
import { GroupError, type GroupErrorCode } from './errors'
import type { Member } from './membership'
import { ReceivingChain, SENDER_KEY_MAX_AGE_MS, SendingChain, type MessageKey } from './sender-key'
import { decodeShare, encodeShare, type Sealer } from './share'
import type { GroupSnapshot } from './snapshot'

/** What processing one block left behind: its plaintext, why it is unreadable, the group secret it carried. */
export interface BlockRecord {
  plaintext?: Buffer
  unreadable?: GroupErrorCode
  secret?: Buffer
}

export interface BadShare {
  author: Buffer
  detail: string
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')

/**
 * One member's key material for one group and what it unlocked: my sending chain and who has it,
 * every other member's current receiving chain, and per block the record of processing it (blocks
 * are processed once; the keys that did it are gone afterwards).
 */
export class Keyring {
  readonly receiving = new Map<string, ReceivingChain>()
  readonly records = new Map<string, BlockRecord>()
  readonly badShares: BadShare[] = []
  sending: SendingChain | null = null
  sendingEpoch = -1
  sharedWith = new Set<string>()

  constructor(
    private readonly me: IdentityKeyPair,
    private readonly sealer: Sealer
  ) {}

  /** The persisted form, for snapshot.ts. */
  state(): Pick<GroupSnapshot, 'sending' | 'receiving' | 'records'> {
    const sending = this.sending
      ? { ...this.sending.state(), epoch: this.sendingEpoch, sharedWith: [...this.sharedWith].map((h) => Buffer.from(h, 'hex')) }
      : null
    const receiving = [...this.receiving].map(([author, chain]) => ({ author: Buffer.from(author, 'hex'), ...chain.state() }))
    const records = [...this.records].map(([key, r]) => {
      const [log, seq] = key.split(':')
      return { log: Buffer.from(log, 'hex'), seq: Number(seq), ...r }
    })
    return { sending, receiving, records }
  }

  restore(s: Pick<GroupSnapshot, 'sending' | 'receiving' | 'records'>): void {
    if (s.sending) {
      this.sending = SendingChain.fromState(s.sending)
      this.sendingEpoch = s.sending.epoch
      this.sharedWith = new Set(s.sending.sharedWith.map(hex))
    }
    for (const r of s.receiving) this.receiving.set(hex(r.author), ReceivingChain.fromState(r))
    for (const { log, seq, ...record } of s.records) this.records.set(Keyring.recordKey(log, seq), record)
  }

  static recordKey(log: Buffer, seq: number): string {
    return `${log.toString('hex')}:${seq}`
  }

  record(log: Buffer, seq: number): BlockRecord | undefined {
    return this.records.get(Keyring.recordKey(log, seq))
  }

  setRecord(log: Buffer, seq: number, r: BlockRecord): void {
    this.records.set(Keyring.recordKey(log, seq), { ...this.record(log, seq), ...r })
  }

  /** Replaces my sending chain when a removal was seen since, or it is a week old, or there is none. Returns whether it did. */
  rotateIfDue(epoch: number, now: number): boolean {
    if (this.sending && this.sendingEpoch === epoch && now - this.sending.createdAt < SENDER_KEY_MAX_AGE_MS) return false
    this.sending?.destroy()
    this.sending = SendingChain.create(now)
    this.sendingEpoch = epoch
    this.sharedWith = new Set()
    return true
  }

  /**
   * Members other than me who do not have my current chain yet and whom the sealer can reach now; a
   * member whose prekey bundle has not reached me yet gets it in a later block, once it has.
   */
  missing(members: Member[]): Member[] {
    return members.filter(
      (m) => !m.identity.equals(this.me.publicKey) && !this.sharedWith.has(hex(m.identity)) && (this.sealer.canSeal?.(m.identity) ?? true)
    )
  }

  /** My chain from its next message on, sealed to each of `to` with the group secret. */
  seal(group: Buffer, to: Member[], groupSecret: Buffer): { keyId: Buffer; recipients: SealedShare[] } {
    const share = (this.sending as SendingChain).share()
    const plain = encodeShare({ ...share, group, author: Buffer.from(this.me.publicKey), groupSecret })
    memzero(share.chainKey)
    const recipients = to.map((m) => ({ member: m.identity, sealed: this.sealer.seal(m.identity, plain) }))
    memzero(plain)
    for (const m of to) this.sharedWith.add(hex(m.identity))
    return { keyId: share.keyId, recipients }
  }

  /**
   * The next message key of my chain and its nonce; the caller seals, then zeroes the key. Each
   * message key seals exactly one message, so the nonce need not be random: it is derived from the
   * key (one hash instead of a getrandom call per message, the costliest step after the signature).
   */
  nextMessageKey(): MessageKey & { nonce: Buffer } {
    if (!this.sending) throw new GroupError('no-sender-key', 'I have no sending chain')
    const mk = this.sending.next()
    return { ...mk, nonce: blake2b(AEAD_NONCE_BYTES, NONCE_INPUT, mk.key) }
  }

  static sealMessage(plaintext: Uint8Array, ad: Buffer, nonce: Buffer, key: Buffer): Buffer {
    const ct = aeadSeal(plaintext, ad, nonce, key)
    memzero(key)
    return ct
  }

  /** Takes my share from another member's sender key block, if there is one for me. */
  takeShare(log: Buffer, entry: Entry, body: Extract<Body, { kind: 'sender-key' }>): void {
    const mine = body.recipients.find((r) => r.member.equals(this.me.publicKey))
    if (!mine) return
    try {
      const share = decodeShare(this.sealer.open(entry.author, mine.sealed))
      if (!share.group.equals(entry.group) || !share.author.equals(entry.author) || !share.keyId.equals(body.keyId)) {
        throw new GroupError('malformed', 'the sealed sender key names another group, author or key')
      }
      this.setRecord(log, entry.seq, { secret: share.groupSecret })
      const key = hex(entry.author)
      const current = this.receiving.get(key)
      if (!current?.keyId.equals(share.keyId)) {
        current?.destroy()
        this.receiving.set(key, ReceivingChain.from(share))
      }
      memzero(share.chainKey)
    } catch (err) {
      this.badShares.push({ author: entry.author, detail: err instanceof Error ? err.message : String(err) })
    }
  }

  decrypt(log: Buffer, entry: Entry, body: Extract<Body, { kind: 'message' }>): void {
    const chain = this.receiving.get(hex(entry.author))
    if (!chain) return this.setRecord(log, entry.seq, { unreadable: 'no-sender-key' })
    try {
      const plaintext = chain.decrypt(body.keyId, body.index, (key) => aeadOpen(body.ciphertext, entry.ad, body.nonce, key))
      this.setRecord(log, entry.seq, { plaintext })
    } catch (err) {
      this.setRecord(log, entry.seq, { unreadable: err instanceof GroupError ? err.code : 'auth-failed' })
    }
  }
}

// Sender Keys: one symmetric hash ratchet per member per key generation, as in Signal's group
// messages. The chain advances once per message; a message key is handed out once and the chain
// key it came from is zeroed, so a key taken from a device later cannot unwrap what came before.
//   message key   = BLAKE2b-256(key = chain key, data = 0x01)
//   next chain    = BLAKE2b-256(key = chain key, data = 0x02)
// (the pairwise ratchet's KDF_CK, core/ratchet/kdf.ts; every chain starts from 32 fresh random bytes).
// Receivers keep keys skipped over (a member who joined at index n, a message lost to a fork) in a
// bounded store: MAX_SKIP per jump, MAX_STORED_SKIPPED in all, oldest evicted.
import { memzero, randomBytes } from '../crypto'
import { kdfCk } from '../ratchet/kdf'
import { GroupError } from './errors'

export const SENDER_KEY_ID_BYTES = 16
export const CHAIN_KEY_BYTES = 32
export const MAX_SKIP = 1000
export const MAX_STORED_SKIPPED = 2000
/** A member replaces its sender key at least this often, besides on every removal it sees. */
export const SENDER_KEY_MAX_AGE_MS = 7 * 24 * 3600 * 1000

/** A chain's state as it is handed to another member (sealed, over a pairwise session). */
export interface SenderKeyShare {
  keyId: Buffer
  chainKey: Buffer
  index: number
}

/** A sending chain as persisted. */
export interface SendingState {
  keyId: Buffer
  chainKey: Buffer
  index: number
  createdAt: number
}

/** A receiving chain as persisted: the chain, where it started, and the keys skipped over (index → key). */
export interface ReceivingState {
  keyId: Buffer
  chainKey: Buffer
  index: number
  start: number
  skipped: [number, Buffer][]
}

export interface MessageKey {
  keyId: Buffer
  index: number
  key: Buffer
}

export class SendingChain {
  private constructor(
    readonly keyId: Buffer,
    private chainKey: Buffer,
    private nextIndex: number,
    readonly createdAt: number
  ) {}

  static create(now: number): SendingChain {
    return new SendingChain(randomBytes(SENDER_KEY_ID_BYTES), randomBytes(CHAIN_KEY_BYTES), 0, now)
  }

  get index(): number {
    return this.nextIndex
  }

  state(): SendingState {
    return { keyId: Buffer.from(this.keyId), chainKey: Buffer.from(this.chainKey), index: this.nextIndex, createdAt: this.createdAt }
  }

  static fromState(s: SendingState): SendingChain {
    return new SendingChain(Buffer.from(s.keyId), Buffer.from(s.chainKey), s.index, s.createdAt)
  }

  /** The chain from the next message on: whoever receives it reads nothing sent before. */
  share(): SenderKeyShare {
    return { keyId: Buffer.from(this.keyId), chainKey: Buffer.from(this.chainKey), index: this.nextIndex }
  }

  /** The next message key; the caller zeroes it after sealing. */
  next(): MessageKey {
    const { messageKey, chainKey } = kdfCk(this.chainKey)
    memzero(this.chainKey)
    this.chainKey = chainKey
    const out = { keyId: Buffer.from(this.keyId), index: this.nextIndex, key: messageKey }
    this.nextIndex++
    return out
  }

  destroy(): void {
    memzero(this.chainKey)
  }
}

/**
 * One member's current chain as I receive it. A new share replaces the old chain: a member's log is
 * read in order, so once its new key is seen, nothing later in that log uses the old one.
 */
export class ReceivingChain {
  private readonly skipped = new Map<number, Buffer>()

  private readonly startIndex: number

  private constructor(
    readonly keyId: Buffer,
    private chainKey: Buffer,
    private nextIndex: number
  ) {
    this.startIndex = nextIndex
  }

  static from(share: SenderKeyShare): ReceivingChain {
    if (share.keyId.byteLength !== SENDER_KEY_ID_BYTES || share.chainKey.byteLength !== CHAIN_KEY_BYTES) {
      throw new GroupError('malformed', 'a sender key share has the wrong key sizes')
    }
    return new ReceivingChain(Buffer.from(share.keyId), Buffer.from(share.chainKey), share.index)
  }

  state(): ReceivingState {
    const skipped = [...this.skipped].map(([i, k]): [number, Buffer] => [i, Buffer.from(k)])
    return { keyId: Buffer.from(this.keyId), chainKey: Buffer.from(this.chainKey), index: this.nextIndex, start: this.startIndex, skipped }
  }

  static fromState(s: ReceivingState): ReceivingChain {
    const chain = new ReceivingChain(Buffer.from(s.keyId), Buffer.from(s.chainKey), s.start)
    chain.nextIndex = s.index
    for (const [i, k] of s.skipped.slice(-MAX_STORED_SKIPPED)) chain.skipped.set(i, Buffer.from(k))
    return chain
  }

  get skippedCount(): number {
    return this.skipped.size
  }

  /**
   * Runs `open` with the message key for `index` and commits the chain only if it returns non-null:
   * a forged or tampered message leaves the chain exactly as it was.
   */
  decrypt<T>(keyId: Uint8Array, index: number, open: (key: Buffer) => T | null): T {
    if (!this.keyId.equals(keyId)) {
      throw new GroupError('no-sender-key', 'the message uses a sender key I was not given')
    }
    if (index < this.startIndex) throw new GroupError('no-sender-key', 'the message was sent before its sender shared this key with me')
    if (index < this.nextIndex) return this.decryptSkipped(index, open)
    if (index - this.nextIndex > MAX_SKIP) {
      throw new GroupError('too-many-skipped', `the message skips ${index - this.nextIndex} keys, at most ${MAX_SKIP}`)
    }
    const passed: Buffer[] = []
    let chainKey = this.chainKey
    for (let i = this.nextIndex; i <= index; i++) {
      const step = kdfCk(chainKey)
      if (chainKey !== this.chainKey) memzero(chainKey)
      chainKey = step.chainKey
      passed.push(step.messageKey)
    }
    const key = passed.pop() as Buffer
    const result = open(key)
    memzero(key)
    if (result === null) {
      for (const k of passed) memzero(k)
      memzero(chainKey)
      throw new GroupError('auth-failed', 'the message does not authenticate under its sender key')
    }
    passed.forEach((k, i) => this.skipped.set(this.nextIndex + i, k))
    this.evict()
    memzero(this.chainKey)
    this.chainKey = chainKey
    this.nextIndex = index + 1
    return result
  }

  destroy(): void {
    memzero(this.chainKey)
    for (const k of this.skipped.values()) memzero(k)
    this.skipped.clear()
  }

  private decryptSkipped<T>(index: number, open: (key: Buffer) => T | null): T {
    const key = this.skipped.get(index)
    if (!key) throw new GroupError('duplicate', `message key ${index} was used already or evicted`)
    const result = open(key)
    if (result === null) throw new GroupError('auth-failed', 'the message does not authenticate under its sender key')
    memzero(key)
    this.skipped.delete(index)
    return result
  }

  private evict(): void {
    for (const [i, k] of this.skipped) {
      if (this.skipped.size <= MAX_STORED_SKIPPED) break
      memzero(k)
      this.skipped.delete(i)
    }
  }
}

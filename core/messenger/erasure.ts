// Everything that takes messages off this device: deleting one or a whole conversation, deleting
// one of mine for everyone, and the sweep that erases disappearing messages once they expire, at
// open (what expired while the app was closed or locked) and while it runs. Each ends the store
// epoch once its records are gone, so the text leaves the disk as well (see store/epochs).
import type { Contact, ContactId } from '../api/types'
import { keys, seqOfKey, TAG_BYTES, type Store } from '../store'
import type { StoreEpochs } from '../store/epochs'
import type { Conversation } from './conversation'
import type { Directory } from './directory'
import type { EventSink } from './events'

/** Expired entries handled in one pass of the sweep; the next pass takes the rest. */
const SWEEP_BATCH = 500
/** How often a running node looks for what is due; a message outlives its expiry by at most this much. */
export const EXPIRY_CHECK_MS = 10_000

export interface ErasureParts {
  store: Store
  epochs: StoreEpochs
  directory: Directory
  events: EventSink
  clock: () => number
  checkMs?: number
}

export class Erasure {
  private timer: NodeJS.Timeout | null = null
  private sweeping: Promise<void> | null = null
  /** The pass asked for while one ran: that one read the clock before the ask. */
  private again: Promise<void> | null = null

  constructor(private readonly parts: ErasureParts) {}

  async deleteMessage(id: ContactId, messageId: string): Promise<void> {
    await this.parts.directory.require(id).deleteMessages(messageId)
    await this.parts.epochs.advance()
  }

  async clearConversation(id: ContactId): Promise<void> {
    await this.parts.directory.require(id).deleteMessages(null)
    await this.parts.epochs.advance()
  }

  async deleteForEveryone(id: ContactId, messageId: string): Promise<void> {
    await this.parts.directory.require(id).changes.deleteForEveryone(messageId)
    await this.parts.epochs.advance()
  }

  setDisappearing(id: ContactId, seconds: number): Promise<Contact> {
    return this.parts.directory.require(id).changes.setDisappearing(seconds)
  }

  /** Erases what expired while the profile was closed, then keeps watching. */
  async start(): Promise<void> {
    await this.sweep()
    this.timer = setInterval(() => this.parts.events.guard(() => this.sweep()), this.parts.checkMs ?? EXPIRY_CHECK_MS)
    this.timer.unref()
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
    await this.again?.catch(() => undefined)
    await this.sweeping
  }

  /**
   * Erases every message whose time is up by the clock as it reads now (one pass at a time). A pass
   * already running read the clock when it began, so whoever asks meanwhile waits for the next one
   * (found in CI: a test moved its clock two days on, swept, and the message stayed, because the
   * periodic sweep had just begun).
   */
  sweep(): Promise<void> {
    if (this.sweeping === null) return this.begin()
    this.again ??= this.sweeping
      .catch(() => undefined)
      .then(() => {
        this.again = null
        return this.sweeping ?? this.begin()
      })
    return this.again
  }

  private begin(): Promise<void> {
    const pass = this.sweepAll().finally(() => (this.sweeping = null))
    this.sweeping = pass
    return pass
  }

  private async sweepAll(): Promise<void> {
    let erased = false
    for (;;) {
      const { count, found } = await this.pass(this.parts.clock())
      erased ||= found
      if (count < SWEEP_BATCH) break
    }
    if (erased) await this.parts.epochs.advance()
  }

  /** One batch of due entries: each conversation deletes its messages, then the entries go. */
  private async pass(now: number): Promise<{ count: number; found: boolean }> {
    const { store, directory } = this.parts
    const due = new Map<string, Array<{ seq: number; at: number }>>()
    const entries: Buffer[] = []
    for await (const { key } of store.range(keys.expiries(), { lt: keys.expiriesUntil(now + 1), limit: SWEEP_BATCH })) {
      entries.push(key)
      const tag = key.subarray(9, 9 + TAG_BYTES).toString('hex')
      due.set(tag, [...(due.get(tag) ?? []), { seq: seqOfKey(key), at: Number(key.readBigUInt64BE(1)) }])
    }
    if (entries.length === 0) return { count: 0, found: false }
    const byTag = new Map<string, Conversation>([...directory.conversations()].map((c) => [c.tag.toString('hex'), c]))
    let found = false
    for (const [tag, entriesOf] of due) found = ((await byTag.get(tag)?.changes.expire(entriesOf)) ?? 0) > 0 || found
    // entries of messages deleted earlier, or of a removed contact, simply go
    await store.write((tx) => {
      for (const key of entries) tx.del(key)
    })
    return { count: entries.length, found }
  }
}

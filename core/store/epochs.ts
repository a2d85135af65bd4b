// Store epochs: forward secrecy at rest for the local store. The store is a Hyperbee on an
// append-only core, so every superseded value (a past ratchet state, a replaced prekey, a deleted
// message) stays in its blocks. Each epoch therefore has its own core and its own random key; moving
// to the next epoch copies the live entries into a new core under a new key, records the new key in
// the epoch file (overwriting the old one, which then exists nowhere), clears the old core's blocks
// and compacts the storage so their bytes leave the disk.
//
// Bound: an epoch ends once `maxBlocks` blocks or `maxBytes` bytes were written after the copy it
// began with, or it is `maxAgeMs` old, checked after every write, every few minutes and at open; a
// deletion the user asks for ends it at once. A store whose live entries outgrow those bounds waits
// for as many blocks (bytes) as its copy took before moving again: each move costs one copy, so the
// cost of the moves stays proportional to the writes instead of growing with the store. The price
// is a weaker bound on such a store: a superseded value may stay on disk for up to max(maxBlocks,
// live entries) further blocks (or max(maxBytes, live bytes)), still never longer than maxAgeMs.
// Epoch 0 is the store as profiles had it before epochs (core 'local', a key derived from the
// storage key, no epoch file); a profile leaves it at the first open that finds anything stored.
import type Corestore from 'corestore'
import type Hypercore from 'hypercore'
import { memzero, randomBytes } from '../crypto'
import { readEpochFile, writeEpochFile, type EpochRecord } from './epoch-file'
import { clearCore, compactStorage } from './erase'
import { Store, type StoreCipher } from './index'

export interface EpochPolicy {
  maxBlocks: number
  /** Also a bound on the disk the store's history takes, whatever one write weighs. */
  maxBytes: number
  maxAgeMs: number
}

export const DEFAULT_EPOCH_POLICY: EpochPolicy = { maxBlocks: 2000, maxBytes: 8 * 1024 * 1024, maxAgeMs: 24 * 60 * 60 * 1000 }
const CHECK_MS = 5 * 60 * 1000

export interface EpochOptions {
  corestore: Corestore
  /** Where the epoch record lives (beside the keystore). */
  file: string
  /** Seals the epoch record; derived from the storage key, so only the passphrase opens it. */
  fileKey: Buffer
  /** The cipher of an epoch's key, or of epoch 0 (null); every cipher must tag alike. */
  cipherFor(epochKey: Buffer | null): StoreCipher
  policy?: EpochPolicy
  clock?: () => number
  onError(err: unknown): void
}

function coreName(epoch: number): string {
  return epoch === 0 ? 'local' : `local/${epoch}`
}

export class StoreEpochs {
  readonly store: Store
  private rec: EpochRecord | null
  private readonly policy: EpochPolicy
  private readonly clock: () => number
  private timer: NodeJS.Timeout | null = null
  private advancing: Promise<void> | null = null

  private constructor(
    private readonly opts: EpochOptions,
    rec: EpochRecord | null,
    core: Hypercore
  ) {
    this.rec = rec
    this.policy = opts.policy ?? DEFAULT_EPOCH_POLICY
    this.clock = opts.clock ?? Date.now
    this.store = new Store(core, opts.cipherFor(rec ? rec.key : null))
  }

  /** Opens the current epoch's store, finishing an erase a crash interrupted, and moves on if the epoch is over. */
  static async open(opts: EpochOptions): Promise<StoreEpochs> {
    const rec = await readEpochFile(opts.file, opts.fileKey)
    const core = opts.corestore.get({ name: coreName(rec ? rec.epoch : 0) })
    const epochs = new StoreEpochs(opts, rec, core)
    await epochs.store.ready()
    if (rec?.erasePending) await epochs.eraseFormer(rec.epoch - 1)
    if (epochs.due()) await epochs.advance()
    epochs.store.afterWrite = () => epochs.check()
    epochs.timer = setInterval(() => epochs.check(), CHECK_MS)
    epochs.timer.unref()
    return epochs
  }

  get epoch(): number {
    return this.rec ? this.rec.epoch : 0
  }

  /** Ends the epoch now (after a deletion): resolves once the old blocks are off the disk. */
  advance(): Promise<void> {
    this.advancing ??= this.next().finally(() => (this.advancing = null))
    return this.advancing
  }

  /** Settles when no move to a new epoch is running. */
  async idle(): Promise<void> {
    await this.advancing?.catch(() => undefined)
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer)
    await this.idle()
    await this.store.close()
  }

  private due(): boolean {
    if (this.store.blocks === 0) return false
    const { rec } = this
    if (!rec) return true
    const { maxBlocks, maxBytes, maxAgeMs } = this.policy
    const blocks = this.store.blocks - rec.startBlocks
    const bytes = this.store.bytes - rec.startBytes
    return blocks >= Math.max(maxBlocks, rec.startBlocks) || bytes >= Math.max(maxBytes, rec.startBytes) || this.clock() - rec.startedAt >= maxAgeMs
  }

  private check(): void {
    if (this.advancing || this.store.isClosed || !this.due()) return
    this.advance().catch((err) => this.opts.onError(err))
  }

  private async next(): Promise<void> {
    const { corestore, file, fileKey, cipherFor } = this.opts
    const epoch = this.epoch + 1
    const core = corestore.get({ name: coreName(epoch) })
    await core.ready()
    // Left by a move that crashed before its switch: never live, so it starts over.
    if (core.length > 0) await core.truncate(0)
    const rec: EpochRecord = { epoch, key: randomBytes(32), startedAt: this.clock(), erasePending: true, startBlocks: 0, startBytes: 0 }
    const former = this.rec
    await this.store.replace(
      core,
      cipherFor(rec.key),
      () => {
        rec.startBlocks = core.length
        rec.startBytes = core.byteLength
        return writeEpochFile(file, rec, fileKey)
      },
      async (bee) => {
        this.rec = rec
        if (former) memzero(former.key)
        await clearCore(bee.core)
        await bee.close()
        await compactStorage(corestore)
        await this.settle(rec)
      }
    )
  }

  /** Erases a former epoch's core that a crash left with blocks. */
  private async eraseFormer(epoch: number): Promise<void> {
    const core = this.opts.corestore.get({ name: coreName(epoch) })
    await clearCore(core)
    await core.close()
    await compactStorage(this.opts.corestore)
    if (this.rec) await this.settle(this.rec)
  }

  private async settle(rec: EpochRecord): Promise<void> {
    rec.erasePending = false
    await writeEpochFile(this.opts.file, rec, this.opts.fileKey)
  }
}

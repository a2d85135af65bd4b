import type Corestore from 'corestore'
import type Hypercore from 'hypercore'
import { MAX_ENVELOPE_BYTES } from '../ratchet'
import { attachToPeer, LogBudget, LogReader, openOwnLog, openPeerLog, watchIntegrity, type IntegrityListener, type LogBlock } from '../log'

/** What reading their log reports back to the conversation. */
export interface TheirLogHooks {
  consume(blocks: LogBlock[]): Promise<void>
  /** An integrity event of their log (a fork, a bad block). */
  integrity: IntegrityListener
  /** Reading stopped on an error. */
  failed(err: unknown): void
}

/** The pair's two logs for one contact: mine, which I write, and theirs, which I read and watch. */
export class ConversationLogs {
  private own: Hypercore | null = null
  private theirs: Hypercore | null = null
  private reader: LogReader | null = null
  private stopWatching: (() => void) | null = null
  private openingTheirs: Promise<Hypercore> | null = null
  /** How fast their log is taken in, kept across their log's readers (and renewals). */
  private readonly budget = new LogBudget()

  constructor(
    private readonly corestore: Corestore,
    private readonly tag: Buffer
  ) {}

  get mine(): Hypercore | null {
    return this.own
  }

  get ownLength(): number {
    return this.own ? this.own.length : 0
  }

  get theirsCore(): Hypercore | null {
    return this.theirs
  }

  get hasTheirs(): boolean {
    return this.theirs !== null
  }

  /** The length of their log as known here, if it is open. */
  get theirLength(): number | null {
    return this.theirs ? this.theirs.length : null
  }

  isMine(key: Buffer): boolean {
    return this.own?.key?.equals(key) ?? false
  }

  async openOwn(): Promise<void> {
    this.own = await openOwnLog(this.corestore, this.tag)
  }

  /**
   * Opens their log and, when it is trusted, watches and reads it from the consumed mark on. Once:
   * two hellos in a row can both find it not yet open, and a second reader would consume every
   * block again, with no one left to close it.
   */
  openTheirs(key: Buffer, trusted: boolean, consumed: number, hooks: TheirLogHooks): Promise<Hypercore> {
    this.openingTheirs ??= this.startTheirs(key, trusted, consumed, hooks)
    return this.openingTheirs
  }

  private async startTheirs(key: Buffer, trusted: boolean, consumed: number, hooks: TheirLogHooks): Promise<Hypercore> {
    const core = await openPeerLog(this.corestore, key)
    this.theirs = core
    if (!trusted) return core
    this.stopWatching = watchIntegrity(core, hooks.integrity)
    this.reader = new LogReader(core, consumed, hooks.consume, hooks.failed, { maxBlockBytes: MAX_ENVELOPE_BYTES, budget: this.budget })
    return core
  }

  /** Replicates the logs over a peer's connection; theirs only while it is trusted. */
  replicateOver(stream: unknown, theirsTrusted: boolean): void {
    if (this.own) attachToPeer(this.own, stream)
    if (this.theirs && theirsTrusted) attachToPeer(this.theirs, stream)
  }

  replicateTheirs(stream: unknown): void {
    if (this.theirs) attachToPeer(this.theirs, stream)
  }

  async stopReading(): Promise<void> {
    if (this.stopWatching) this.stopWatching()
    this.stopWatching = null
    const reader = this.reader
    this.reader = null
    if (reader) await reader.close()
  }

  async closeTheirs(): Promise<void> {
    await this.openingTheirs?.catch(() => undefined)
    this.openingTheirs = null
    await this.stopReading()
    const theirs = this.theirs
    this.theirs = null
    if (theirs) await theirs.close()
  }

  async closeOwn(): Promise<void> {
    if (this.own) await this.own.close()
  }
}

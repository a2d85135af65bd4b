// The files of one conversation: my blob store, which I write and my contact replicates, and a
// replica of theirs, learnt from the first file message they send (the message is ratcheted, so
// only they can name it). Both are replicated over that contact's connection and no other.
import type Corestore from 'corestore'
import { basename, join } from 'node:path'
import { rm } from 'node:fs/promises'
import { attachToPeer } from '../log'
import { randomBytes } from '../crypto'
import type { FileDescriptor } from './descriptor'
import { BlobError } from './errors'
import { mediaTypeByName } from './media-types'
import { fileNameProblem } from './names'
import { makeImagePreview, stripImageMetadata } from './preview'
import type { ReadOptions } from './read'
import type { SaveOptions } from './save'
import { BlobStore, type ReceiveLimits } from './store'
import { Deliveries, type DeliveryUpdate } from './deliveries'
import { Transfers, type TransferUpdate } from './transfers'

export interface FilesHooks {
  /** Their blob store's key was learnt: keep it with the contact. */
  adopt(key: Buffer): Promise<void>
  /** Something only a misbehaving peer would do. */
  violation(detail: string): void
  progress(update: TransferUpdate): void
  /** How far the contact has fetched a file I sent (see Deliveries). */
  delivered(update: DeliveryUpdate): void
}

export interface SendFileOptions {
  /** The name the contact sees; default: the file's own name. */
  name?: string
  /** Declared as given (a voice note), not guessed from the content or the name. */
  mediaType?: string
}

export class ConversationFiles {
  private own: BlobStore | null = null
  private theirs: BlobStore | null = null
  private stream: unknown = null
  private learning: Promise<void> | null = null
  private deliveries: Deliveries | null = null
  private readonly transfers: Transfers

  constructor(
    private readonly corestore: Corestore,
    private readonly tag: Buffer,
    /** A private folder for the metadata-free copies of images being sent. */
    private readonly scratch: string,
    private theirKey: Buffer | null,
    private readonly hooks: FilesHooks
  ) {
    this.transfers = new Transfers((u) => hooks.progress(u))
  }

  async open(): Promise<void> {
    this.own = await BlobStore.openOwn(this.corestore, this.tag)
    this.deliveries = new Deliveries(this.own.core, (u) => this.hooks.delivered(u))
    if (this.theirKey) this.theirs = await BlobStore.openPeer(this.corestore, this.theirKey)
  }

  /** Replicates both stores over the contact's connection (theirs from when it is known). */
  replicateOver(stream: unknown): void {
    this.stream = stream
    if (this.own) attachToPeer(this.own.core, stream)
    if (this.theirs) attachToPeer(this.theirs.core, stream)
  }

  detach(): void {
    this.stream = null
  }

  /**
   * Seals a file into my store. An image goes without its metadata (EXIF, GPS) and with a small
   * preview; anything else goes as it is.
   */
  async send(path: string, opts: SendFileOptions = {}): Promise<FileDescriptor> {
    const own = this.ownStore()
    const name = opts.name ?? basename(path)
    const problem = fileNameProblem(name)
    if (problem) throw new BlobError('bad-name', `${problem}: ${JSON.stringify(name.slice(0, 80))}`)
    if (opts.mediaType) return own.putFile(path, { name, mediaType: opts.mediaType })
    const image = await makeImagePreview(path)
    if (!image) return own.putFile(path, { name, mediaType: mediaTypeByName(name) })
    const clean = join(this.scratch, `${randomBytes(8).toString('hex')}.strip`)
    try {
      const stripped = await stripImageMetadata(path, clean)
      return await own.putFile(stripped ? clean : path, { name, mediaType: image.mediaType, preview: image.preview })
    } finally {
      await rm(clean, { force: true })
    }
  }

  /** Reports how far the contact fetches a file I just sent. */
  followDelivery(d: FileDescriptor): void {
    this.deliveries?.watch(d)
  }

  /**
   * Checks a file the contact offered: it must sit in their store (learnt from the first offer) and
   * within my limits. Throws BlobError otherwise.
   */
  async offered(d: FileDescriptor, limits: ReceiveLimits): Promise<void> {
    if (this.own && d.core.equals(this.own.key)) {
      this.hooks.violation('the contact offered a file from my own blob store')
      throw new BlobError('wrong-store', 'the file names my own blob store')
    }
    if (!this.theirKey) {
      this.learning ??= this.learnTheirs(d.core)
      await this.learning
    }
    this.theirStore(d).accept(d, limits)
  }

  /** Forgets their store, as when they restored their identity on a new device. */
  async renewTheirs(): Promise<void> {
    const theirs = this.theirs
    this.theirs = null
    this.theirKey = null
    this.learning = null
    if (theirs) await theirs.close()
  }

  async fetch(d: FileDescriptor, limits: ReceiveLimits): Promise<void> {
    // A download asked for as soon as the offer is shown must not find their store not yet opened.
    await this.learning?.catch(() => undefined)
    return this.transfers.fetch(this.theirStore(d), d, limits)
  }

  cancel(d: FileDescriptor): boolean {
    return this.transfers.cancel(d)
  }

  save(d: FileDescriptor, dir: string, limits: ReceiveLimits, opts: SaveOptions = {}): Promise<string> {
    return this.storeOf(d).save(d, dir, limits, opts)
  }

  /** Decrypts the whole file and checks its hash, keeping nothing (see BlobStore.verify). */
  verify(d: FileDescriptor, opts: ReadOptions = {}): Promise<void> {
    return this.storeOf(d).verify(d, opts)
  }

  read(d: FileDescriptor, start: number, length: number, opts: ReadOptions = {}): AsyncGenerator<Buffer> {
    return this.storeOf(d).read(d, start, length, opts)
  }

  /** Copies a file held complete in `source` into my store, sealed chunks as they are (see BlobStore.forwardFrom). */
  forwardFrom(source: ConversationFiles, d: FileDescriptor): Promise<FileDescriptor> {
    return this.ownStore().forwardFrom(source.storeOf(d), d)
  }

  async chunksStored(d: FileDescriptor): Promise<number> {
    return this.storeOf(d).chunksStored(d)
  }

  /** Erases the file's chunks here, whichever side sent it. */
  async delete(d: FileDescriptor): Promise<void> {
    this.transfers.cancel(d)
    await this.storeOf(d).delete(d)
  }

  /** Stops every download and erases both stores' chunks: the contact is being removed. */
  async eraseAll(): Promise<void> {
    await this.transfers.close()
    await this.own?.clearAll()
    await this.theirs?.clearAll()
  }

  async close(): Promise<void> {
    this.deliveries?.close()
    await this.transfers.close()
    await this.theirs?.close()
    await this.own?.close()
  }

  private async learnTheirs(key: Buffer): Promise<void> {
    await this.hooks.adopt(key)
    this.theirKey = key
    this.theirs = await BlobStore.openPeer(this.corestore, key)
    if (this.stream) attachToPeer(this.theirs.core, this.stream)
  }

  private ownStore(): BlobStore {
    if (!this.own) throw new Error('the conversation\'s files are not open')
    return this.own
  }

  private theirStore(d: FileDescriptor): BlobStore {
    if (!this.theirs || !d.core.equals(this.theirs.key)) {
      this.hooks.violation('the contact offered a file from a blob store that is not theirs')
      throw new BlobError('wrong-store', 'the file is not in the contact\'s blob store')
    }
    return this.theirs
  }

  private storeOf(d: FileDescriptor): BlobStore {
    if (this.own && d.core.equals(this.own.key)) return this.own
    if (this.theirs && d.core.equals(this.theirs.key)) return this.theirs
    throw new BlobError('wrong-store', 'the file is in neither blob store of this conversation')
  }
}

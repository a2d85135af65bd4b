// The files of one conversation as the messenger sees them: each belongs to a message (its
// descriptor is kept in the message record, encrypted at rest with the rest of the history), is
// fetched on request or automatically when small and inline, and reports its progress as events.
import type Corestore from 'corestore'
import { CairnError } from '../api/errors'
import type { ContactId, FileInfo, FileProgress, FileState } from '../api/types'
import {
  BlobError,
  ConversationFiles,
  decodeDescriptor,
  encodeDescriptor,
  isForgery,
  verifyPreview,
  wantsAutoDownload,
  type AutoDownloadPolicy,
  type DeliveryUpdate,
  type FileDescriptor,
  type SendFileOptions,
  type TransferUpdate
} from '../blobs'
import { keys, type Store } from '../store'
import type { EventSink } from './events'
import type { MessageRecord } from './records'

/** What the profile gives every conversation's files. */
export interface FilesConfig {
  /** A private folder for files on their way out (metadata-free copies, uploads). */
  scratch: string
  /** Largest file accepted from a contact. */
  maxBytes: number
  autoDownload: AutoDownloadPolicy
}

export interface FileShelfDeps {
  store: Store
  corestore: Corestore
  events: EventSink
  files: FilesConfig
}

export interface FileShelfHooks {
  contact(): ContactId
  messageId(seq: number): string
  adopt(key: Buffer): Promise<void>
  violation(detail: string): void
}

function refused(err: unknown): never {
  if (err instanceof BlobError) throw new CairnError('file-refused', err.message)
  throw err
}

export class FileShelf {
  private readonly files: ConversationFiles
  /** Downloads under way or failed in this run, by file id. */
  private readonly states = new Map<string, { seq: number; state: FileState; error: string | null }>()
  /** Files I sent in this run whose fetching by the contact is followed, by file id: their message ids. */
  private readonly sending = new Map<string, string>()

  constructor(
    private readonly deps: FileShelfDeps,
    private readonly tag: Buffer,
    theirKey: Buffer | null,
    private readonly hooks: FileShelfHooks
  ) {
    this.files = new ConversationFiles(deps.corestore, tag, deps.files.scratch, theirKey, {
      adopt: (key) => hooks.adopt(key),
      violation: (detail) => hooks.violation(detail),
      progress: (u) => this.onProgress(u),
      delivered: (u) => this.onDelivered(u)
    })
  }

  open(): Promise<void> {
    return this.files.open()
  }

  replicateOver(stream: unknown): void {
    this.files.replicateOver(stream)
  }

  renewTheirs(): Promise<void> {
    return this.files.renewTheirs()
  }

  /** Erases every chunk of both stores (the contact is removed; the caller ends the store epoch). */
  eraseAll(): Promise<void> {
    this.states.clear()
    return this.files.eraseAll()
  }

  close(): Promise<void> {
    return this.files.close()
  }

  /** Seals a file into my store for a new message; the descriptor goes into the message. */
  async seal(path: string, opts: SendFileOptions = {}): Promise<FileDescriptor> {
    try {
      return await this.files.send(path, opts)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new CairnError('not-found', `no file at ${path}`)
      return refused(err)
    }
  }

  /** The file of a message I just sent: its progress on the contact's side is reported as 'sending'. */
  followDelivery(d: FileDescriptor, messageId: string): void {
    this.sending.set(d.fileId.toString('hex'), messageId)
    this.files.followDelivery(d)
  }

  info(m: MessageRecord): FileInfo | undefined {
    if (!m.file) return undefined
    const d = decodeDescriptor(Buffer.from(m.file, 'hex'))
    const id = d.fileId.toString('hex')
    const live = this.states.get(id)?.state
    const state: FileState = m.dir === 'out' || m.fileReady ? 'ready' : (live ?? 'offered')
    const preview = d.preview ? `data:image/jpeg;base64,${d.preview.jpeg.toString('base64')}` : null
    return { id, name: d.name, size: d.size, mediaType: d.mediaType, preview, width: d.preview?.width ?? null, height: d.preview?.height ?? null, state }
  }

  /**
   * A file arrived in a message from the contact: it must sit in their store and within my limits,
   * and its preview must be an image; then it is fetched at once when small and shown inline.
   */
  async offered(m: MessageRecord, seq: number): Promise<void> {
    const d = decodeDescriptor(Buffer.from(m.file!, 'hex'))
    try {
      await this.files.offered(d, { maxBytes: this.deps.files.maxBytes })
      if (d.preview) await verifyPreview(d.preview)
    } catch (err) {
      if (!(err instanceof BlobError)) throw err
      if (err.code === 'bad-preview') this.hooks.violation(`a file's preview was refused: ${err.message}`)
      this.fail(d, seq, err.message)
      return
    }
    if (wantsAutoDownload(d, this.deps.files.autoDownload)) this.deps.events.guard(() => this.download(m, seq).catch(() => undefined))
  }

  /** Fetches the file of an incoming message; resolves once it is complete and checked. */
  async download(m: MessageRecord, seq: number): Promise<void> {
    const d = this.descriptorOf(m)
    if (m.dir === 'out' || m.fileReady) return
    const id = d.fileId.toString('hex')
    this.states.set(id, { seq, state: 'downloading', error: null })
    try {
      await this.files.fetch(d, { maxBytes: this.deps.files.maxBytes })
    } catch (err) {
      if (isForgery(err)) await this.forged(m, seq, err)
      // the sender's store is theirs alone: a file they offered is in it unless they lied
      if (err instanceof BlobError && err.code === 'blob-missing') this.hooks.violation(`the file ${JSON.stringify(d.name.slice(0, 80))} was refused: ${err.message}`)
      refused(err)
    }
    await this.deps.store.write(async (tx) => {
      // as it stands now: it may have changed (an edit, a reaction) since m was read
      const current = await tx.getJson<MessageRecord>(keys.message(this.tag, seq))
      if (current) tx.putJson(keys.message(this.tag, seq), { ...current, fileReady: true })
    })
    this.states.delete(id)
    this.emit(seq, { state: 'ready', bytes: d.size, size: d.size, bytesPerSecond: 0, secondsLeft: 0, error: null })
  }

  cancel(m: MessageRecord): void {
    this.files.cancel(this.descriptorOf(m))
  }

  async save(m: MessageRecord, seq: number, folder: string): Promise<string> {
    const d = this.descriptorOf(m)
    if (m.dir === 'in' && !m.fileReady) throw new CairnError('file-refused', 'the file is not downloaded yet')
    try {
      return await this.files.save(d, folder, { maxBytes: Number.MAX_SAFE_INTEGER }, { timeout: 1000 })
    } catch (err) {
      if (isForgery(err)) await this.forged(m, seq, err)
      return refused(err)
    }
  }

  /**
   * The chunks of a downloaded file are decrypted, and its hash checked, only when it is first
   * used whole (saved or forwarded). One that fails was sealed wrong by its sender: the replica
   * has erased it (BlobStore), the message goes back to not downloaded, and the user is told.
   */
  private async forged(m: MessageRecord, seq: number, err: BlobError): Promise<void> {
    if (m.dir !== 'in') return
    const d = this.descriptorOf(m)
    await this.deps.store.write(async (tx) => {
      const current = await tx.getJson<MessageRecord>(keys.message(this.tag, seq))
      if (current) tx.putJson(keys.message(this.tag, seq), { ...current, fileReady: false })
    })
    this.hooks.violation(`the file ${JSON.stringify(d.name.slice(0, 80))} failed its check and was erased: ${err.message}`)
    this.fail(d, seq, err.message)
  }

  async read(m: MessageRecord, start: number, length: number): Promise<Buffer> {
    const d = this.descriptorOf(m)
    if (start + length > d.size) throw new CairnError('invalid-argument', `the file has ${d.size} bytes`)
    const parts: Buffer[] = []
    try {
      for await (const part of this.files.read(d, start, length, { timeout: 30_000 })) parts.push(part)
    } catch (err) {
      refused(err)
    }
    return Buffer.concat(parts)
  }

  async erase(m: Pick<MessageRecord, 'file'>): Promise<void> {
    if (!m.file) return
    const d = decodeDescriptor(Buffer.from(m.file, 'hex'))
    this.states.delete(d.fileId.toString('hex'))
    await this.files.delete(d).catch(() => undefined)
  }

  /** The file of one of this conversation's messages, complete here: an incoming one is downloaded first. */
  async forwardable(id: string): Promise<FileDescriptor> {
    const { m, seq } = await this.message(id)
    const d = this.descriptorOf(m)
    if (m.dir === 'out') return d
    await this.download(m, seq)
    // Its chunks go on unchanged under its hash: the hash must hold first.
    await this.verified(m, seq)
    return d
  }

  /** Checks a complete file's chunks and hash (see forged); my own files are taken as sealed. */
  private async verified(m: MessageRecord, seq: number): Promise<void> {
    const d = this.descriptorOf(m)
    if (m.dir === 'out') return
    try {
      await this.files.verify(d, { timeout: 1000 })
    } catch (err) {
      if (isForgery(err)) await this.forged(m, seq, err)
      refused(err)
    }
  }

  /** Copies a file complete in `from` into my store, for a message to this contact. */
  async copyFrom(from: FileShelf, d: FileDescriptor): Promise<FileDescriptor> {
    try {
      return await this.files.forwardFrom(from.files, d)
    } catch (err) {
      return refused(err)
    }
  }

  // The API's file calls name a message by its id.

  async downloadMessage(id: string): Promise<void> {
    const { m, seq } = await this.message(id)
    await this.download(m, seq)
  }

  async cancelMessage(id: string): Promise<void> {
    this.cancel((await this.message(id)).m)
  }

  async saveMessage(id: string, folder: string): Promise<string> {
    const { m, seq } = await this.message(id)
    return this.save(m, seq, folder)
  }

  async verifyMessage(id: string): Promise<void> {
    const { m, seq } = await this.message(id)
    if (m.dir === 'in' && !m.fileReady) throw new CairnError('file-refused', 'the file is not downloaded yet')
    await this.verified(m, seq)
  }

  async infoMessage(id: string): Promise<FileInfo> {
    const info = this.info((await this.message(id)).m)
    if (!info) throw new CairnError('not-found', 'the message carries no file')
    return info
  }

  async readMessage(id: string, start: number, length: number): Promise<Buffer> {
    return this.read((await this.message(id)).m, start, length)
  }

  /** One of this conversation's messages by its id. */
  async message(id: string): Promise<{ m: MessageRecord; seq: number }> {
    const prefix = this.hooks.messageId(0).slice(0, -1)
    const tail = id.startsWith(prefix) ? id.slice(prefix.length) : ''
    const seq = /^\d{1,15}$/.test(tail) ? Number(tail) : -1
    const m = seq >= 0 ? await this.deps.store.getJson<MessageRecord>(keys.message(this.tag, seq)) : null
    if (!m) throw new CairnError('not-found', `no message ${id.slice(0, 64)} with this contact`)
    return { m, seq }
  }

  private descriptorOf(m: MessageRecord): FileDescriptor {
    if (!m.file) throw new CairnError('not-found', 'the message carries no file')
    return decodeDescriptor(Buffer.from(m.file, 'hex'))
  }

  private fail(d: FileDescriptor, seq: number, error: string): void {
    const id = d.fileId.toString('hex')
    this.states.set(id, { seq, state: 'failed', error })
    this.emit(seq, { state: 'failed', bytes: 0, size: d.size, bytesPerSecond: 0, secondsLeft: null, error })
  }

  private onProgress(u: TransferUpdate): void {
    const entry = this.states.get(u.file)
    // Completion is announced once the message record says so (see download).
    if (!entry || u.state === 'complete') return
    const state: FileProgress['state'] = u.state
    if (u.state === 'failed') this.states.set(u.file, { ...entry, state: 'failed', error: u.error?.message ?? null })
    if (u.state === 'cancelled') this.states.delete(u.file)
    this.emit(entry.seq, { state, bytes: u.bytes, size: u.size, bytesPerSecond: u.bytesPerSecond, secondsLeft: u.secondsLeft, error: u.error?.message ?? null })
  }

  private onDelivered(u: DeliveryUpdate): void {
    const message = this.sending.get(u.file)
    if (!message) return
    if (u.done) this.sending.delete(u.file)
    const progress: FileProgress = { contact: this.hooks.contact(), message, state: 'sending', bytes: u.bytes, size: u.size, bytesPerSecond: u.bytesPerSecond, secondsLeft: u.secondsLeft, error: null }
    this.deps.events.emit({ type: 'file-progress', progress })
  }

  private emit(seq: number, p: Omit<FileProgress, 'contact' | 'message'>): void {
    this.deps.events.emit({ type: 'file-progress', progress: { contact: this.hooks.contact(), message: this.hooks.messageId(seq), ...p } })
  }
}

export function descriptorHex(d: FileDescriptor): string {
  return encodeDescriptor(d).toString('hex')
}

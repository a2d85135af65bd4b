// The profile's files in the API's terms: a file sent from a path or handed over in pieces (for a
// page that cannot give one), and the file of a message fetched, cancelled, saved or read, each on
// the conversation it belongs to (see conversation-files.ts).
import type { ContactId, FileInfo, Message, VoiceNoteMediaType } from '../api/types'
import { Uploads, type FileDescriptor } from '../blobs'
import type { Conversation } from './conversation'
import { descriptorHex, type FilesConfig } from './conversation-files'
import type { Directory } from './directory'

export class MessengerFiles {
  private readonly uploads: Uploads

  constructor(
    private readonly directory: Directory,
    private readonly config: FilesConfig,
    private readonly saveAutoDownload: (maxBytes: number) => Promise<void>
  ) {
    this.uploads = new Uploads(config.scratch, config.maxBytes)
  }

  get autoDownloadBytes(): number {
    return this.config.autoDownload.maxBytes
  }

  /** Every conversation reads the policy from the shared config as each file arrives. */
  async setAutoDownload(maxBytes: number): Promise<void> {
    await this.saveAutoDownload(maxBytes)
    this.config.autoDownload = { ...this.config.autoDownload, maxBytes }
  }

  /** Seals a file from this node's disk into my blob store and sends it as a message. */
  async sendFile(id: ContactId, path: string, name?: string, mediaType?: VoiceNoteMediaType): Promise<Message> {
    const c = this.directory.require(id)
    c.refuseIfBlocked()
    await c.ready()
    return this.sendSealed(c, await c.files.seal(path, { ...(name === undefined ? {} : { name }), ...(mediaType ? { mediaType } : {}) }))
  }

  /** The file of a message with `id` to the contact `to`, its sealed chunks copied, not re-sealed. */
  async forwardFile(id: ContactId, message: string, to: ContactId): Promise<Message> {
    const from = this.directory.require(id)
    const target = this.directory.require(to)
    target.refuseIfBlocked()
    await target.ready()
    const d = await from.files.forwardable(message)
    return this.sendSealed(target, await target.files.copyFrom(from.files, d))
  }

  beginUpload(size: number): Promise<string> {
    return this.uploads.begin(size)
  }

  uploadPiece(upload: string, piece: string): Promise<void> {
    return this.uploads.append(upload, Buffer.from(piece, 'base64'))
  }

  async sendUpload(id: ContactId, upload: string, name: string, mediaType?: VoiceNoteMediaType): Promise<Message> {
    this.directory.require(id)
    const path = await this.uploads.finish(upload)
    try {
      return await this.sendFile(id, path, name, mediaType)
    } finally {
      await this.uploads.discard(path)
    }
  }

  downloadFile(id: ContactId, message: string): Promise<void> {
    return this.directory.require(id).files.downloadMessage(message)
  }

  cancelDownload(id: ContactId, message: string): Promise<void> {
    return this.directory.require(id).files.cancelMessage(message)
  }

  saveFile(id: ContactId, message: string, folder: string): Promise<string> {
    return this.directory.require(id).files.saveMessage(message, folder)
  }

  verifyFile(id: ContactId, message: string): Promise<void> {
    return this.directory.require(id).files.verifyMessage(message)
  }

  fileInfo(id: ContactId, message: string): Promise<FileInfo> {
    return this.directory.require(id).files.infoMessage(message)
  }

  async readFile(id: ContactId, message: string, start: number, length: number): Promise<string> {
    return (await this.directory.require(id).files.readMessage(message, start, length)).toString('base64')
  }

  close(): Promise<void> {
    return this.uploads.close()
  }

  private async sendSealed(c: Conversation, d: FileDescriptor): Promise<Message> {
    try {
      const m = await c.send('', { file: d })
      c.files.followDelivery(d, m.id)
      return m
    } catch (err) {
      await c.files.erase({ file: descriptorHex(d) })
      throw err
    }
  }
}

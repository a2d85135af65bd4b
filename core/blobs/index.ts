// Files: each file is sealed under its own random key in fixed-size chunks (chunks.ts) and stored
// in a blob store, hyperblobs on a Hypercore of its own beside each conversation log (store.ts).
// The descriptor (descriptor.ts) carries the key and travels in a ratcheted message. A download
// keeps the sealed chunks as they arrive (fetch.ts); blocks already replicated are never fetched
// again, so a transfer resumes where it stopped. Saving decrypts once, streaming to a part file
// that is renamed only after the BLAKE2b-256 of the plaintext matched (save.ts); a file that fails
// is erased from the replica. Memory stays at a few chunks whatever the file's size.
export { BlobStore, isForgery, type PutOptions, type ReceiveLimits } from './store'
export { BlobError, type BlobErrorCode } from './errors'
export {
  decodeDescriptor,
  encodeDescriptor,
  validateDescriptor,
  DESCRIPTOR_VERSION,
  MAX_FILE_BYTES,
  MAX_PREVIEW_BYTES,
  type FileDescriptor,
  type ImagePreview,
  type BlobLocation
} from './descriptor'
export { DEFAULT_CHUNK_BYTES, chunkCount } from './chunks'
export { fileNameProblem, safeSaveName } from './names'
export type { SaveOptions, SaveProgress } from './save'
export type { ReadOptions } from './read'
export { makeImagePreview, verifyPreview, stripImageMetadata, PREVIEW_EDGE, type ImageInfo } from './preview'
export { Transfers, wantsAutoDownload, DEFAULT_AUTO_DOWNLOAD, type TransferUpdate, type TransferState, type AutoDownloadPolicy } from './transfers'
export { Deliveries, type DeliveryUpdate } from './deliveries'
export { ConversationFiles, type FilesHooks, type SendFileOptions } from './files'
export { mediaTypeByName } from './media-types'
export { Uploads, MAX_UPLOADS } from './uploads'

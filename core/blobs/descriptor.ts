// The file descriptor: everything a receiver needs to fetch, decrypt and check one file. It travels
// inside a ratcheted message (so the key is as secret as the message) and is stored with the
// history. Version 1, compact-encoding:
//   u8 version ‖ uint flags (bit 0: preview) ‖ fixed32 blob core key ‖ uint blockOffset ‖
//   uint blockLength ‖ uint byteOffset ‖ uint byteLength ‖ fixed16 fileId ‖ fixed32 file key ‖
//   uint size ‖ uint chunkBytes ‖ fixed32 BLAKE2b-256(plaintext) ‖ string mediaType ‖ string name ‖
//   [uint width ‖ uint height ‖ buffer preview JPEG]
// Decoding checks every field and that the blob's geometry is exactly what `size` and `chunkBytes`
// imply, so a lying size is caught before a single byte is fetched.
import c from 'compact-encoding'
import { chunkCount, FILE_ID_BYTES, FILE_KEY_BYTES, isValidChunkSize, sealedSize } from './chunks'
import { BlobError } from './errors'
import { fileNameProblem, MAX_NAME_BYTES } from './names'

export const DESCRIPTOR_VERSION = 1
/** The format's ceiling; a receiver's own limit is usually far lower. */
export const MAX_FILE_BYTES = 2 ** 40
export const MAX_PREVIEW_BYTES = 16 * 1024
export const MAX_MEDIA_TYPE_BYTES = 127
export const HASH_BYTES = 32
const MAX_DIMENSION = 1 << 20
const FLAG_PREVIEW = 1
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,62}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,62}$/u

export interface BlobLocation {
  blockOffset: number
  blockLength: number
  byteOffset: number
  byteLength: number
}

/** A small JPEG made by the sender (metadata stripped) and the full image's dimensions. */
export interface ImagePreview {
  width: number
  height: number
  jpeg: Buffer
}

export interface FileDescriptor {
  /** Key of the Hypercore that holds the sealed chunks. */
  core: Buffer
  blob: BlobLocation
  fileId: Buffer
  key: Buffer
  size: number
  chunkBytes: number
  hash: Buffer
  mediaType: string
  name: string
  preview: ImagePreview | null
}

type State = ReturnType<typeof c.state>
const utf8 = new TextDecoder('utf-8', { fatal: true })
const malformed = (reason: string): BlobError => new BlobError('malformed-descriptor', `file descriptor: ${reason}`)

function isCount(n: unknown, max = Number.MAX_SAFE_INTEGER): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 && n <= max
}

function checkBytes(value: unknown, what: string, length: number): void {
  if (!(value instanceof Uint8Array) || value.byteLength !== length) throw malformed(`${what} is not ${length} bytes`)
}

export function isJpeg(bytes: Uint8Array): boolean {
  const n = bytes.byteLength
  return n >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff && bytes[n - 2] === 0xff && bytes[n - 1] === 0xd9
}

/** Throws BlobError unless every field is well-formed and the blob's geometry matches the size. */
export function validateDescriptor(d: FileDescriptor): void {
  checkBytes(d.core, 'core key', 32)
  checkBytes(d.fileId, 'file id', FILE_ID_BYTES)
  checkBytes(d.key, 'file key', FILE_KEY_BYTES)
  checkBytes(d.hash, 'hash', HASH_BYTES)
  if (!isCount(d.size)) throw malformed('size is not a whole number of bytes')
  if (d.size > MAX_FILE_BYTES) throw new BlobError('too-large', `the declared size ${d.size} exceeds the format's limit of ${MAX_FILE_BYTES} bytes`)
  if (!isValidChunkSize(d.chunkBytes)) throw malformed(`chunk size ${d.chunkBytes} is not a power of two between 4 KiB and 1 MiB`)
  const b = d.blob
  if (!b || ![b.blockOffset, b.blockLength, b.byteOffset, b.byteLength].every((n) => isCount(n))) throw malformed('blob location is not four counts')
  if (b.blockLength !== chunkCount(d.size, d.chunkBytes) || b.byteLength !== sealedSize(d.size, d.chunkBytes)) {
    throw malformed(`the blob's ${b.blockLength} blocks of ${b.byteLength} bytes do not hold a file of ${d.size} bytes`)
  }
  if (typeof d.mediaType !== 'string' || !MEDIA_TYPE.test(d.mediaType)) throw malformed('media type is not of the form type/subtype')
  if (typeof d.name !== 'string') throw malformed('name is not a string')
  const problem = fileNameProblem(d.name)
  if (problem) throw new BlobError('bad-name', `${problem}: ${JSON.stringify(d.name.slice(0, 80))}`)
  if (d.preview !== null) {
    const p = d.preview
    if (!isCount(p.width, MAX_DIMENSION) || !isCount(p.height, MAX_DIMENSION)) throw malformed('preview dimensions are out of range')
    if (!(p.jpeg instanceof Uint8Array) || p.jpeg.byteLength > MAX_PREVIEW_BYTES) throw new BlobError('bad-preview', `the preview is larger than ${MAX_PREVIEW_BYTES} bytes`)
    if (!isJpeg(p.jpeg)) throw new BlobError('bad-preview', 'the preview is not a JPEG image')
  }
}

function forEachField(d: FileDescriptor, state: State, phase: 'preencode' | 'encode'): void {
  const str = (s: string): Buffer => Buffer.from(s, 'utf8')
  c.uint8[phase](state, DESCRIPTOR_VERSION)
  c.uint[phase](state, d.preview ? FLAG_PREVIEW : 0)
  c.fixed32[phase](state, d.core)
  for (const n of [d.blob.blockOffset, d.blob.blockLength, d.blob.byteOffset, d.blob.byteLength]) c.uint[phase](state, n)
  c.fixed(FILE_ID_BYTES)[phase](state, d.fileId)
  c.fixed32[phase](state, d.key)
  c.uint[phase](state, d.size)
  c.uint[phase](state, d.chunkBytes)
  c.fixed32[phase](state, d.hash)
  c.buffer[phase](state, str(d.mediaType))
  c.buffer[phase](state, str(d.name))
  if (d.preview) {
    c.uint[phase](state, d.preview.width)
    c.uint[phase](state, d.preview.height)
    c.buffer[phase](state, d.preview.jpeg)
  }
}

export function encodeDescriptor(d: FileDescriptor): Buffer {
  validateDescriptor(d)
  const state = c.state()
  forEachField(d, state, 'preencode')
  state.buffer = Buffer.alloc(state.end)
  forEachField(d, state, 'encode')
  return state.buffer as Buffer
}

function readString(state: State, max: number, what: string): string {
  const bytes = c.buffer.decode(state)
  if (bytes.byteLength > max) throw malformed(`${what} is longer than ${max} bytes`)
  try {
    return utf8.decode(bytes)
  } catch {
    throw malformed(`${what} is not valid UTF-8`)
  }
}

function readBody(state: State): FileDescriptor {
  const flags = c.uint.decode(state)
  if ((flags & ~FLAG_PREVIEW) !== 0) throw malformed(`unknown flags ${flags}`)
  const copy = (b: Uint8Array): Buffer => Buffer.from(b)
  const core = copy(c.fixed32.decode(state))
  const [blockOffset, blockLength, byteOffset, byteLength] = [0, 0, 0, 0].map(() => c.uint.decode(state))
  const fileId = copy(c.fixed(FILE_ID_BYTES).decode(state))
  const key = copy(c.fixed32.decode(state))
  const size = c.uint.decode(state)
  const chunkBytes = c.uint.decode(state)
  const hash = copy(c.fixed32.decode(state))
  const mediaType = readString(state, MAX_MEDIA_TYPE_BYTES, 'media type')
  const name = readString(state, MAX_NAME_BYTES * 4, 'name')
  let preview: ImagePreview | null = null
  if (flags & FLAG_PREVIEW) {
    const width = c.uint.decode(state)
    const height = c.uint.decode(state)
    const jpeg = c.buffer.decode(state)
    if (jpeg.byteLength > MAX_PREVIEW_BYTES) throw new BlobError('bad-preview', `the preview is larger than ${MAX_PREVIEW_BYTES} bytes`)
    preview = { width, height, jpeg: copy(jpeg) }
  }
  return { core, blob: { blockOffset, blockLength, byteOffset, byteLength }, fileId, key, size, chunkBytes, hash, mediaType, name, preview }
}

/** Throws BlobError with the reason unless the bytes are exactly one valid descriptor. */
export function decodeDescriptor(bytes: Uint8Array): FileDescriptor {
  if (!(bytes instanceof Uint8Array) || bytes.byteLength < 1) throw malformed('empty')
  const state = c.state(0, bytes.byteLength, bytes)
  const version = c.uint8.decode(state)
  if (version !== DESCRIPTOR_VERSION) throw new BlobError('unsupported-version', `file descriptor version ${version} is not supported`)
  let d: FileDescriptor
  try {
    d = readBody(state)
  } catch (err) {
    if (err instanceof BlobError) throw err
    throw malformed('truncated')
  }
  if (state.start !== state.end) throw malformed(`${state.end - state.start} trailing bytes`)
  validateDescriptor(d)
  return d
}

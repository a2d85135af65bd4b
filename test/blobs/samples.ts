// The inputs behind the frozen fixtures in test/fixtures/blobs/. Changing anything here (or in the
// formats) makes the fixture tests fail: old descriptors and stored chunks must keep decoding.
import type { FileDescriptor } from '../../core/blobs'
import { patternBytes } from '../helpers/blobs'

export const FIXTURE_DIR = new URL('../fixtures/v1/', import.meta.url).pathname

export const sampleKey = { key: Buffer.alloc(32, 0x33), fileId: Buffer.alloc(16, 0x22) }
export const sampleChunkBytes = 4096
export const samplePlain = patternBytes(10_000, 7)

const fakeJpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(20, 0x5a), Buffer.from([0xff, 0xd9])])

export const sampleWithPreview: FileDescriptor = {
  core: Buffer.alloc(32, 0x11),
  blob: { blockOffset: 7, blockLength: 3, byteOffset: 1000, byteLength: 10_048 },
  fileId: sampleKey.fileId,
  key: sampleKey.key,
  size: 10_000,
  chunkBytes: sampleChunkBytes,
  hash: Buffer.alloc(32, 0x44),
  mediaType: 'image/jpeg',
  name: 'café photo.jpg',
  preview: { width: 4032, height: 3024, jpeg: fakeJpeg }
}

export const samplePlainFile: FileDescriptor = {
  ...sampleWithPreview,
  mediaType: 'application/pdf',
  name: 'report.pdf',
  preview: null
}

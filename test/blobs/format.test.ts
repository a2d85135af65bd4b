import c from 'compact-encoding'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { BlobError, decodeDescriptor, encodeDescriptor, fileNameProblem, safeSaveName, type FileDescriptor } from '../../core/blobs'
import { openChunk, sealChunk } from '../../core/blobs/chunks'
import { numberedName } from '../../core/blobs/names'
import { decodePayload, encodePayload } from '../../core/protocol/payload'
import { FIXTURE_DIR, sampleChunkBytes, sampleKey, samplePlain, samplePlainFile, sampleWithPreview } from './samples'

const fixture = (name: string): Buffer => readFileSync(FIXTURE_DIR + name)

function codeOf(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(BlobError)
    return (err as BlobError).code
  }
  throw new Error('expected a BlobError')
}

describe('file descriptor format (v1, frozen)', () => {
  it('encodes to and decodes from the fixture bytes exactly', () => {
    for (const [file, d] of [
      ['file-descriptor-preview.bin', sampleWithPreview],
      ['file-descriptor-plain.bin', samplePlainFile]
    ] as const) {
      const bytes = fixture(file)
      expect(encodeDescriptor(d).equals(bytes)).toBe(true)
      expect(decodeDescriptor(bytes)).toEqual(d)
    }
  })

  it('refuses every truncation and any trailing byte', () => {
    const bytes = fixture('file-descriptor-preview.bin')
    for (let n = 0; n < bytes.byteLength; n++) {
      expect(() => decodeDescriptor(bytes.subarray(0, n))).toThrow(BlobError)
    }
    expect(codeOf(() => decodeDescriptor(Buffer.concat([bytes, Buffer.from([0])])))).toBe('malformed-descriptor')
  })

  it('refuses an unknown version and unknown flags', () => {
    const bytes = Buffer.from(fixture('file-descriptor-plain.bin'))
    bytes[0] = 2
    expect(codeOf(() => decodeDescriptor(bytes))).toBe('unsupported-version')
    bytes[0] = 1
    bytes[1] = 2
    expect(codeOf(() => decodeDescriptor(bytes))).toBe('malformed-descriptor')
  })

  const bad: [string, Partial<FileDescriptor>, string][] = [
    ['a size the blob cannot hold', { size: 20_000 }, 'malformed-descriptor'],
    ['a size beyond the format limit', { size: 2 ** 41 }, 'too-large'],
    ['a blob with one block too few', { blob: { ...sampleWithPreview.blob, blockLength: 2 } }, 'malformed-descriptor'],
    ['a chunk size that is not a power of two', { chunkBytes: 5000 }, 'malformed-descriptor'],
    ['a name with a slash', { name: '../../.bashrc' }, 'bad-name'],
    ['a name with a backslash', { name: '..\\..\\evil.exe' }, 'bad-name'],
    ['a name that is ..', { name: '..' }, 'bad-name'],
    ['a name with a control character', { name: 'a\nb.txt' }, 'bad-name'],
    ['a name with a right-to-left override', { name: 'invoice\u202egpj.exe' }, 'bad-name'],
    ['an empty name', { name: '' }, 'bad-name'],
    ['an over-long name', { name: 'x'.repeat(256) }, 'bad-name'],
    ['a media type that is not type/subtype', { mediaType: 'text/html; <script>' }, 'malformed-descriptor'],
    ['a preview that is not a JPEG', { preview: { width: 1, height: 1, jpeg: Buffer.from('<svg onload=alert(1)>') } }, 'bad-preview'],
    ['an over-large preview', { preview: { width: 1, height: 1, jpeg: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(17_000), Buffer.from([0xff, 0xd9])]) } }, 'bad-preview']
  ]
  it.each(bad)('refuses %s, on encode and on decode', (_, change, code) => {
    const d = { ...sampleWithPreview, ...change }
    expect(codeOf(() => encodeDescriptor(d))).toBe(code)
    const forged = forgeEncoding(d)
    expect(codeOf(() => decodeDescriptor(forged))).toBe(code)
  })
})

/** The bytes a hostile sender could produce for `d`, skipping the encoder's own checks. */
function forgeEncoding(d: FileDescriptor): Buffer {
  const fields = (s: ReturnType<typeof c.state>, phase: 'preencode' | 'encode'): void => {
    c.uint8[phase](s, 1)
    c.uint[phase](s, d.preview ? 1 : 0)
    c.fixed32[phase](s, d.core)
    for (const n of [d.blob.blockOffset, d.blob.blockLength, d.blob.byteOffset, d.blob.byteLength]) c.uint[phase](s, n)
    c.fixed(16)[phase](s, d.fileId)
    c.fixed32[phase](s, d.key)
    c.uint[phase](s, d.size)
    c.uint[phase](s, d.chunkBytes)
    c.fixed32[phase](s, d.hash)
    c.buffer[phase](s, Buffer.from(d.mediaType))
    c.buffer[phase](s, Buffer.from(d.name))
    if (d.preview) {
      c.uint[phase](s, d.preview.width)
      c.uint[phase](s, d.preview.height)
      c.buffer[phase](s, d.preview.jpeg)
    }
  }
  const s = c.state()
  fields(s, 'preencode')
  s.buffer = Buffer.alloc(s.end)
  fields(s, 'encode')
  return s.buffer as Buffer
}

describe('file message payload (v1 with its optional f field, frozen)', () => {
  const message = { kind: 'text', text: 'the view from here', sentAt: 1764547200000, file: sampleWithPreview } as const

  it('encodes to and decodes from the fixture bytes', () => {
    const bytes = fixture('payload-file.bin')
    expect(encodePayload(message).equals(bytes)).toBe(true)
    expect(decodePayload(bytes)).toEqual(message)
    expect(decodePayload(encodePayload({ kind: 'text', text: 'plain', sentAt: 1 }))).toEqual({ kind: 'text', text: 'plain', sentAt: 1 })
  })

  it('refuses a file field that is not base64 or not a valid descriptor, saying why', () => {
    const withF = (f: unknown): Buffer => Buffer.from(JSON.stringify({ v: 1, t: '', s: 1, f }))
    expect(() => decodePayload(withF('%%'))).toThrow(/not base64/)
    expect(() => decodePayload(withF(42))).toThrow(/not base64/)
    const hostile = forgeEncoding({ ...sampleWithPreview, name: '../../.bashrc' }).toString('base64')
    expect(() => decodePayload(withF(hostile))).toThrow(/path separator/)
  })

  it('rides in a version 2 reply too, and is checked there the same way', () => {
    const reply = { ...message, replyTo: { mine: false, block: 3 } }
    const bytes = encodePayload(reply)
    expect(JSON.parse(bytes.toString())).toMatchObject({ v: 2, k: 't', q: [0, 3], f: fixture('payload-file.bin').toString().match(/"f":"([^"]+)"/)![1] })
    expect(decodePayload(bytes)).toEqual(reply)
    const wire = { ...JSON.parse(bytes.toString()), f: 42 }
    expect(() => decodePayload(Buffer.from(JSON.stringify(wire)))).toThrow(/not base64/)
  })
})

describe('sealed chunk format (v1, frozen)', () => {
  const sealed = fixture('file-chunks.bin')
  const lengths = [4096 + 16, 4096 + 16, 10_000 - 8192 + 16]
  const parts = [sealed.subarray(0, lengths[0]), sealed.subarray(lengths[0], lengths[0] + lengths[1]), sealed.subarray(lengths[0] + lengths[1])]
  const plainOf = (i: number): Buffer => samplePlain.subarray(i * sampleChunkBytes, (i + 1) * sampleChunkBytes)

  it('seals to the fixture bytes and opens them', () => {
    parts.forEach((p, i) => {
      expect(sealChunk(plainOf(i), i, i === 2, sampleKey).equals(p)).toBe(true)
      expect(openChunk(p, i, i === 2, sampleKey).equals(plainOf(i))).toBe(true)
    })
  })

  it('refuses a reordered chunk, a truncated file, a chunk of another file, a wrong key and a flipped bit', () => {
    expect(codeOf(() => openChunk(parts[1], 0, false, sampleKey))).toBe('bad-chunk')
    expect(codeOf(() => openChunk(parts[1], 1, true, sampleKey))).toBe('bad-chunk')
    const otherFile = { key: sampleKey.key, fileId: Buffer.alloc(16, 0x23) }
    expect(codeOf(() => openChunk(parts[0], 0, false, otherFile))).toBe('bad-chunk')
    expect(codeOf(() => openChunk(parts[0], 0, false, { ...sampleKey, key: Buffer.alloc(32, 0x34) }))).toBe('bad-chunk')
    const flipped = Buffer.from(parts[2])
    flipped[100] ^= 1
    expect(codeOf(() => openChunk(flipped, 2, true, sampleKey))).toBe('bad-chunk')
  })
})

describe('file names from peers', () => {
  it('are made safe for saving on any platform', () => {
    expect(safeSaveName('CON')).toBe('_CON')
    expect(safeSaveName('con.txt')).toBe('_con.txt')
    expect(safeSaveName('LPT1.tar.gz')).toBe('_LPT1.tar.gz')
    expect(safeSaveName('a<b>c:d"e|f?g*.txt')).toBe('a_b_c_d_e_f_g_.txt')
    expect(safeSaveName('.bashrc')).toBe('_bashrc')
    expect(safeSaveName('report. . ')).toBe('report')
    expect(safeSaveName('...')).toBe('_')
    expect(safeSaveName('holiday photo.jpg')).toBe('holiday photo.jpg')
    expect(numberedName('a.tar.gz', 2)).toBe('a.tar (2).gz')
    expect(numberedName('README', 1)).toBe('README (1)')
  })

  it('are refused when they could name anything but one file', () => {
    for (const name of ['a/b', 'a\\b', '.', '..', '', 'a\u0000b', 'x\u2066y', 'x'.repeat(300)]) {
      expect(fileNameProblem(name)).not.toBeNull()
    }
    expect(fileNameProblem('naïve résumé.pdf')).toBeNull()
  })
})

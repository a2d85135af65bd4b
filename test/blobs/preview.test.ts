import sharp from 'sharp'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BlobError, MAX_PREVIEW_BYTES } from '../../core/blobs'
import { makeImagePreview, PREVIEW_EDGE, stripImageMetadata, verifyPreview } from '../../core/blobs/preview'
import { tempDir } from '../helpers/blobs'

let tmp: Awaited<ReturnType<typeof tempDir>>
let photo: string

/** A noisy 2000×1500 camera-like JPEG, stored sideways with orientation 6, carrying a maker and a GPS position. */
async function cameraPhoto(path: string): Promise<void> {
  await sharp({ create: { width: 2000, height: 1500, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
    .withExif({
      IFD0: { Make: 'SecretCam', Model: 'Model-X' },
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 2959/100', GPSLongitudeRef: 'E', GPSLongitude: '2/1 17/1 4032/100' }
    })
    .withMetadata({ orientation: 6 })
    .jpeg({ quality: 90 })
    .toFile(path)
}

// What of the camera's metadata could be left in the bytes: its maker and model, an EXIF segment
// (where the GPS position is, in binary), an XMP copy of the position. Not the 3 bytes 'GPS': a JPEG
// of noise this size holds them by chance (CI, once; in the full-size copy).
const TRACES = ['SecretCam', 'Model-X', 'Exif\0\0', 'GPSLatitude']

beforeAll(async () => {
  tmp = await tempDir()
  photo = join(tmp.dir, 'IMG_0001.jpg')
  await cameraPhoto(photo)
  const meta = await sharp(photo).metadata()
  expect(meta.exif?.includes(Buffer.from('SecretCam'))).toBe(true)
  expect(meta.orientation).toBe(6)
})
afterAll(() => tmp.cleanup())

describe('image previews', () => {
  it('are small upright JPEGs with no EXIF, GPS or maker data', async () => {
    const info = await makeImagePreview(photo)
    expect(info).not.toBeNull()
    const { mediaType, preview } = info!
    expect(mediaType).toBe('image/jpeg')
    expect([preview.width, preview.height]).toEqual([1500, 2000])
    expect(preview.jpeg.byteLength).toBeLessThanOrEqual(MAX_PREVIEW_BYTES)
    const meta = await sharp(preview.jpeg).metadata()
    expect(meta.format).toBe('jpeg')
    expect(Math.max(meta.width, meta.height)).toBe(PREVIEW_EDGE)
    expect(meta.height).toBeGreaterThan(meta.width)
    expect(meta.exif).toBeUndefined()
    expect(meta.xmp).toBeUndefined()
    for (const trace of TRACES) expect(preview.jpeg.includes(Buffer.from(trace))).toBe(false)
    await verifyPreview(preview)
  })

  it('come from PNGs with transparency too', async () => {
    const png = join(tmp.dir, 'shot.png')
    await sharp({ create: { width: 800, height: 200, channels: 4, background: { r: 0, g: 0, b: 255, alpha: 0.5 } } }).png().toFile(png)
    const info = await makeImagePreview(png)
    expect(info?.mediaType).toBe('image/png')
    expect([info!.preview.width, info!.preview.height]).toEqual([800, 200])
  })

  it('are not made for files that are not raster images', async () => {
    const text = join(tmp.dir, 'notes.txt')
    await writeFile(text, 'not an image at all')
    const svg = join(tmp.dir, 'drawing.svg')
    await writeFile(svg, '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>')
    expect(await makeImagePreview(text)).toBeNull()
    expect(await makeImagePreview(svg)).toBeNull()
  })

  it("a peer's preview that is not a decodable small JPEG is refused", async () => {
    const good = (await makeImagePreview(photo))!.preview
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } }).png().toBuffer()
    const truncated = Buffer.concat([good.jpeg.subarray(0, 200), Buffer.from([0xff, 0xd9])])
    const huge = await sharp({ create: { width: 4000, height: 10, channels: 3, background: '#000' } }).jpeg().toBuffer()
    for (const jpeg of [png, truncated, huge]) {
      const err = await verifyPreview({ ...good, jpeg }).then(() => null, (e: unknown) => e)
      expect(err).toBeInstanceOf(BlobError)
      expect((err as BlobError).code).toBe('bad-preview')
    }
  })
})

describe('metadata stripping of the image itself', () => {
  it('writes an upright copy without EXIF, GPS or maker data', async () => {
    const clean = join(tmp.dir, 'clean.jpg')
    expect(await stripImageMetadata(photo, clean)).toBe(true)
    const meta = await sharp(clean).metadata()
    expect([meta.width, meta.height]).toEqual([1500, 2000])
    expect(meta.exif).toBeUndefined()
    const bytes = await readFile(clean)
    for (const trace of TRACES) expect(bytes.includes(Buffer.from(trace))).toBe(false)
  })

  it('leaves what it cannot rewrite alone', async () => {
    const text = join(tmp.dir, 'notes2.txt')
    await writeFile(text, 'plain text')
    expect(await stripImageMetadata(text, join(tmp.dir, 'never'))).toBe(false)
    await expect(readFile(join(tmp.dir, 'never'))).rejects.toThrow()
  })
})

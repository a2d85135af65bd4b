// Image previews and metadata stripping, with sharp (libvips): it installs from the registry as
// prebuilt Node-API binaries for every desktop platform (no install script, no download, same
// binary under Electron), reads JPEG, PNG, WebP, GIF, AVIF, HEIF and TIFF, and writes no metadata
// unless asked to. A pure-JS codec (jpeg-js) would read JPEG alone, and an order of magnitude
// slower. sharp is loaded on first use, so a node that never sends an image never loads libvips.
import { BlobError } from './errors'
import { isJpeg, MAX_PREVIEW_BYTES, type ImagePreview } from './descriptor'

type Sharp = typeof import('sharp').default

/** Longest edge of a preview, in pixels; small enough to stay within MAX_PREVIEW_BYTES at modest quality. */
export const PREVIEW_EDGE = 320
const MAX_INPUT_PIXELS = 100_000_000
const ATTEMPTS: [edge: number, quality: number][] = [
  [PREVIEW_EDGE, 60],
  [PREVIEW_EDGE, 40],
  [240, 40],
  [160, 30]
]
// Vector images are left out: rendering an SVG can pull in other files.
const STILL_FORMATS: Record<string, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
  heif: 'image/heif',
  tiff: 'image/tiff'
}

let loaded: Sharp | null = null
async function sharpLib(): Promise<Sharp> {
  loaded ??= (await import('sharp')).default
  return loaded
}

export interface ImageInfo {
  mediaType: string
  preview: ImagePreview
}

/**
 * The media type and a small metadata-free JPEG preview of an image file (upright, as the camera's
 * orientation tag says), or null when the file is not an image this can read.
 */
export async function makeImagePreview(path: string): Promise<ImageInfo | null> {
  const sharp = await sharpLib()
  const input = { failOn: 'error' as const, limitInputPixels: MAX_INPUT_PIXELS, autoOrient: true }
  let meta
  try {
    meta = await sharp(path, input).metadata()
  } catch {
    return null
  }
  const mediaType = STILL_FORMATS[meta.format]
  if (!mediaType) return null
  const { width, height } = meta.autoOrient
  for (const [edge, quality] of ATTEMPTS) {
    const jpeg = await sharp(path, input)
      .resize(edge, edge, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality, mozjpeg: true })
      .toBuffer()
    if (jpeg.byteLength <= MAX_PREVIEW_BYTES) return { mediaType, preview: { width, height, jpeg } }
  }
  return null
}

/** Throws BlobError('bad-preview') unless a peer's preview decodes as a JPEG of preview size. */
export async function verifyPreview(preview: ImagePreview): Promise<void> {
  if (!isJpeg(preview.jpeg)) throw new BlobError('bad-preview', 'the preview is not a JPEG image')
  const sharp = await sharpLib()
  let meta
  try {
    meta = await sharp(preview.jpeg, { failOn: 'error', limitInputPixels: PREVIEW_EDGE * PREVIEW_EDGE * 4 }).metadata()
    await sharp(preview.jpeg, { failOn: 'error' }).raw().toBuffer()
  } catch (err) {
    throw new BlobError('bad-preview', `the preview does not decode: ${(err as Error).message}`)
  }
  if (meta.format !== 'jpeg' || meta.width > PREVIEW_EDGE * 2 || meta.height > PREVIEW_EDGE * 2) {
    throw new BlobError('bad-preview', `the preview is a ${meta.width}×${meta.height} ${meta.format}, not a small JPEG`)
  }
}

/**
 * Writes a copy of a still image to `dst` without its metadata (EXIF, GPS, XMP, IPTC, comments),
 * upright and with its colour profile; returns false, writing nothing, when `src` is not such an
 * image (a GIF is not rewritten: re-encoding would cost its animation).
 */
export async function stripImageMetadata(src: string, dst: string): Promise<boolean> {
  const sharp = await sharpLib()
  const input = { failOn: 'error' as const, limitInputPixels: MAX_INPUT_PIXELS, autoOrient: true }
  let format: string
  try {
    format = (await sharp(src, input).metadata()).format
  } catch {
    return false
  }
  if (!STILL_FORMATS[format] || format === 'gif') return false
  const out = sharp(src, input).keepIccProfile()
  const encoded = format === 'jpeg' ? out.jpeg({ quality: 90 }) : out.toFormat(format as 'png')
  await encoded.toFile(dst)
  return true
}

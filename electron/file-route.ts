// File bytes for the renderer in Electron, on the app's own scheme: cairn://app/files/CONTACT/MESSAGE,
// with HTTP range requests so a long video or voice note starts at once and seeks without the whole
// file. The bytes come from the node through the API (readFile, a bounded piece at a time), never
// from a path on disk. A peer chose the content and its media type, so a response is only ever an
// image, audio or video type the page shows in place, or plain bytes, and it carries a sandboxing CSP:
// nothing a peer sends can run as a page of the app's origin.
import { FILE_ROUTE, parseFileRoute } from '../core/api/bridge'
import type { ContactId, FileInfo } from '../core/api/types'
import { FILE_READ_MAX } from '../core/api/validate'
import { HARDENING_HEADERS } from '../shell/csp'

/** The part of the API the route reads through. */
export interface FileSource {
  fileInfo(contact: ContactId, message: string): Promise<FileInfo>
  readFile(contact: ContactId, message: string, start: number, length: number): Promise<string>
}

export type ByteRange = { start: number; end: number }

/**
 * One `bytes=` range of a file of `size` bytes (end inclusive); null when the header asks for the
 * whole file (absent, or a form this route does not serve, such as several ranges, which HTTP lets a
 * server answer with the whole file); 'unsatisfiable' when it starts past the end.
 */
export function parseRange(header: string | null, size: number): ByteRange | 'unsatisfiable' | null {
  if (!header) return null
  const m = /^bytes=(\d{0,15})-(\d{0,15})$/.exec(header.trim())
  if (!m || (m[1] === '' && m[2] === '')) return null
  if (m[1] === '') {
    const suffix = Number(m[2])
    if (suffix === 0 || size === 0) return 'unsatisfiable'
    return { start: Math.max(0, size - suffix), end: size - 1 }
  }
  const start = Number(m[1])
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1)
  if (start >= size) return 'unsatisfiable'
  if (end < start) return null
  return { start, end }
}

const SHOWN_IN_PLACE = /^(image\/(png|jpeg|gif|webp|avif|bmp)|audio\/[a-z0-9.+-]+|video\/[a-z0-9.+-]+)$/

/** What the response says it is: a type the page shows in place, else plain bytes. */
export function responseType(mediaType: string): string {
  if (mediaType.startsWith('audio/vnd.cairn.voice+')) return mediaType.replace('vnd.cairn.voice+', '')
  return SHOWN_IN_PLACE.test(mediaType) ? mediaType : 'application/octet-stream'
}

const FILE_HEADERS = {
  ...HARDENING_HEADERS,
  'Content-Security-Policy': "sandbox; default-src 'none'",
  'Cache-Control': 'no-store',
  'Accept-Ranges': 'bytes'
}

function refuse(status: number): Response {
  return new Response(null, { status, headers: FILE_HEADERS })
}

/** The bytes [start, end] of the file, read from the node a bounded piece at a time as the body is pulled. */
function body(source: FileSource, contact: ContactId, message: string, start: number, end: number): ReadableStream<Uint8Array> {
  let at = start
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (at > end) return controller.close()
      const length = Math.min(FILE_READ_MAX, end + 1 - at)
      const piece = Buffer.from(await source.readFile(contact, message, at, length), 'base64')
      at += length
      controller.enqueue(new Uint8Array(piece.buffer, piece.byteOffset, piece.byteLength))
    }
  })
}

/** Answers a request for FILE_ROUTE; any other path is not this route's (null). */
export async function serveFileRequest(source: FileSource, url: URL, method: string, rangeHeader: string | null): Promise<Response | null> {
  if (!url.pathname.startsWith(FILE_ROUTE)) return null
  if (method !== 'GET' && method !== 'HEAD') return refuse(405)
  const route = parseFileRoute(url.pathname)
  if (!route || url.search !== '') return refuse(404)
  let info: FileInfo
  try {
    info = await source.fileInfo(route.contact, route.message)
  } catch {
    return refuse(404)
  }
  // Only a complete, verified file is served: a page never sees bytes its hash did not cover.
  if (info.state !== 'ready') return refuse(409)
  const range = parseRange(rangeHeader, info.size)
  if (range === 'unsatisfiable') return new Response(null, { status: 416, headers: { ...FILE_HEADERS, 'Content-Range': `bytes */${info.size}` } })
  const { start, end } = range ?? { start: 0, end: info.size - 1 }
  const headers: Record<string, string> = { ...FILE_HEADERS, 'Content-Type': responseType(info.mediaType), 'Content-Length': String(end + 1 - start) }
  if (range) headers['Content-Range'] = `bytes ${start}-${end}/${info.size}`
  const stream = method === 'HEAD' || info.size === 0 ? null : body(source, route.contact, route.message, start, end)
  return new Response(stream, { status: range ? 206 : 200, headers })
}

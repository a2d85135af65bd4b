// Maps a request path to a file inside the renderer build and nowhere else: no "..", no encoded
// separators or NULs sneaking past, no symlink leading out of the folder.
import { realpath, stat } from 'node:fs/promises'
import { extname, isAbsolute, relative, resolve, sep } from 'node:path'

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8'
}

export interface StaticFile {
  path: string
  contentType: string
  size: number
}

function inside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate)
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)
}

/**
 * Resolves a URL path ("/assets/app.js", percent-encoded as it came off the wire) against `root`,
 * which must already be a real path. Returns null for anything that is not a regular file of a known
 * type strictly inside the root; "/" means index.html.
 */
export async function resolveStaticFile(root: string, urlPath: string): Promise<StaticFile | null> {
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath)
  } catch {
    return null
  }
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return null
  if (decoded.split('/').some((part) => part === '..' || part === '.')) return null
  const wanted = decoded.endsWith('/') ? `${decoded}index.html` : decoded
  const candidate = resolve(root, `.${wanted}`)
  if (!inside(root, candidate)) return null
  const contentType = CONTENT_TYPES[extname(candidate).toLowerCase()]
  if (!contentType) return null
  try {
    const real = await realpath(candidate)
    if (!inside(root, real)) return null
    const info = await stat(real)
    if (!info.isFile()) return null
    return { path: real, contentType, size: info.size }
  } catch {
    return null
  }
}

/** The real path of a renderer build folder, checked to hold an index.html. */
export async function realRendererDir(dir: string): Promise<string> {
  try {
    const real = await realpath(dir)
    if ((await stat(`${real}${sep}index.html`)).isFile()) return real
  } catch {
    // reported below with the remedy
  }
  throw new Error(`no renderer build in ${dir} (build it with \`npx vite build\`)`)
}

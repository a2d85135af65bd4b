// Serves the app scheme: the renderer build with the same path checks and CSP as the web shell, and
// under FILE_ROUTE the bytes of files in conversations, with ranges (see file-route.ts).
import { readFile } from 'node:fs/promises'
import { contentSecurityPolicy, HARDENING_HEADERS } from '../shell/csp'
import { resolveStaticFile } from '../shell/static'
import { APP_HOST } from './app-url'
import { serveFileRequest, type FileSource } from './file-route'

/** What the handler reads of Electron's protocol request. */
export interface AppRequest {
  url: string
  method?: string
  /** The Range header, if any. */
  range?: string | null
}

/** Answers one request for the app scheme; `root` is the real path of the renderer build. */
export async function serveAppRequest(root: string, request: string | AppRequest, files?: FileSource): Promise<Response> {
  const { url: requestUrl, method = 'GET', range = null } = typeof request === 'string' ? { url: request } : request
  const headers = { ...HARDENING_HEADERS, 'Content-Security-Policy': contentSecurityPolicy() }
  let url: URL
  try {
    url = new URL(requestUrl)
  } catch {
    return new Response(null, { status: 400, headers })
  }
  if (url.host !== APP_HOST) return new Response(null, { status: 404, headers })
  const served = files ? await serveFileRequest(files, url, method, range) : null
  if (served) return served
  const file = await resolveStaticFile(root, url.pathname)
  if (!file) return new Response(null, { status: 404, headers })
  const body = await readFile(file.path)
  return new Response(body, { status: 200, headers: { ...headers, 'Content-Type': file.contentType } })
}

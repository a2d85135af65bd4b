// Serves the renderer build for the app scheme with the same path checks and CSP as the web shell.
import { readFile } from 'node:fs/promises'
import { contentSecurityPolicy, HARDENING_HEADERS } from '../shell/csp'
import { resolveStaticFile } from '../shell/static'
import { APP_HOST } from './app-url'

/** Answers one request for the app scheme; `root` is the real path of the renderer build. */
export async function serveAppRequest(root: string, requestUrl: string): Promise<Response> {
  const headers = { ...HARDENING_HEADERS, 'Content-Security-Policy': contentSecurityPolicy() }
  let url: URL
  try {
    url = new URL(requestUrl)
  } catch {
    return new Response(null, { status: 400, headers })
  }
  if (url.host !== APP_HOST) return new Response(null, { status: 404, headers })
  const file = await resolveStaticFile(root, url.pathname)
  if (!file) return new Response(null, { status: 404, headers })
  const body = await readFile(file.path)
  return new Response(body, { status: 200, headers: { ...headers, 'Content-Type': file.contentType } })
}

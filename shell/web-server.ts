// The web shell: the built renderer and the API over a WebSocket, on loopback only. A page must come
// from this shell's own origin (Origin and Host checked, which also defeats DNS rebinding), and,
// before a single API frame is read, present either the single-use code of a URL this shell made
// (valid once, for CODE_TTL_MS) or the session credential it got in exchange for one. The Origin
// check stops other web pages; only the code's single use stops a local program, which can forge any
// header: once the page has loaded, the URL it was opened with lets no one in.
import { randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { WebSocketServer, type RawData, type WebSocket } from 'ws'
import { API_PATH, CODE_PARAM, CREDENTIAL_PATTERN, POLICY_VIOLATION, WEB_SHELL_REFUSED, type AuthAccepted } from '../core/api/handshake'
import type { CairnEvent, WireFrame } from '../core/api/types'
import { dispatch, type ApiHost } from '../core/host/dispatch'
import { contentSecurityPolicy, HARDENING_HEADERS } from './csp'
import { realRendererDir, resolveStaticFile } from './static'
import { openSessionStore, type SessionStore } from './web-sessions'

export interface WebShellOptions {
  host: ApiHost
  /** 0 or absent: any free port. */
  port?: number
  /** The renderer build to serve; defaults to the checkout's renderer-dist/. */
  rendererDir?: string
  /** How long a new socket may take to present its code or credential before it is closed. */
  authTimeoutMs?: number
  /** How long a URL's code stays valid if unused. */
  codeTtlMs?: number
  /**
   * Where session credentials are remembered: a profile's store lets the pages of an earlier shell
   * back in after a restart; absent: this shell's memory only.
   */
  sessions?: SessionStore
}

export interface WebShell {
  /** The first URL, with a single-use code in its fragment: whoever uses it first has the API. */
  url: string
  port: number
  /** Another URL with a fresh single-use code (for another tab or browser). */
  newUrl(): string
  close(): Promise<void>
}

const LOOPBACK = '127.0.0.1'
const DEFAULT_AUTH_TIMEOUT_MS = 10_000
export const CODE_TTL_MS = 60_000
// Unused codes kept at once; a newer one pushes out the oldest.
const MAX_CODES = 8
// A 64 KiB message can grow sixfold when JSON escapes every character.
const MAX_FRAME_BYTES = 512 * 1024
const MAX_IN_FLIGHT = 64

export const DEFAULT_RENDERER_DIR = fileURLToPath(new URL('../renderer-dist', import.meta.url))

function parse(data: RawData): unknown {
  try {
    return JSON.parse(data.toString())
  } catch {
    return undefined
  }
}

export async function startWebShell(opts: WebShellOptions): Promise<WebShell> {
  const root = await realRendererDir(opts.rendererDir ?? DEFAULT_RENDERER_DIR)
  const sessions = opts.sessions ?? (await openSessionStore())
  const codes = new Map<string, number>()
  const codeTtl = opts.codeTtlMs ?? CODE_TTL_MS
  const authenticated = new Set<WebSocket>()
  const server = createServer()
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES })
  let origin = ''
  let hostHeader = ''

  const onHostEvent = (event: CairnEvent): void => {
    const text = JSON.stringify({ kind: 'event', event } satisfies WireFrame)
    for (const ws of authenticated) ws.send(text)
  }

  async function serveStatic(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const headers = { ...HARDENING_HEADERS, 'Content-Security-Policy': contentSecurityPolicy(`ws://${hostHeader}`) }
    if (req.headers.host !== hostHeader) {
      res.writeHead(421, headers).end()
      return
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end()
      return
    }
    const pathname = (req.url ?? '/').split(/[?#]/, 1)[0]
    const file = await resolveStaticFile(root, pathname)
    if (!file) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }).end('not found')
      return
    }
    res.writeHead(200, {
      ...headers,
      'Content-Type': file.contentType,
      'Content-Length': file.size,
      'Cache-Control': 'no-store'
    })
    if (req.method === 'HEAD') {
      res.end()
      return
    }
    createReadStream(file.path)
      .on('error', () => res.destroy())
      .pipe(res)
  }

  function refuseUpgrade(socket: Duplex): void {
    socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
    socket.destroy()
  }

  function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const pathname = (req.url ?? '').split('?', 1)[0]
    if (pathname !== API_PATH || req.headers.origin !== origin || req.headers.host !== hostHeader) {
      refuseUpgrade(socket)
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws))
  }

  function newCode(): string {
    const code = randomBytes(32).toString('base64url')
    codes.set(code, Date.now() + codeTtl)
    for (const old of codes.keys()) {
      if (codes.size <= MAX_CODES) break
      codes.delete(old)
    }
    return code
  }

  /** The page's credential for this connection, or null: a code is used up by the attempt, good or not. */
  function admit(frame: unknown): string | null {
    const auth = frame as { kind?: unknown; code?: unknown; session?: unknown } | undefined
    if (auth?.kind !== 'auth') return null
    if (typeof auth.code === 'string' && CREDENTIAL_PATTERN.test(auth.code)) {
      const expires = codes.get(auth.code)
      if (expires === undefined) return null
      codes.delete(auth.code)
      return expires > Date.now() ? sessions.issue() : null
    }
    if (typeof auth.session === 'string' && CREDENTIAL_PATTERN.test(auth.session)) {
      return sessions.check(auth.session) ? auth.session : null
    }
    return null
  }

  function serveSocket(ws: WebSocket): void {
    let inFlight = 0
    const authTimer = setTimeout(
      () => ws.close(POLICY_VIOLATION, 'authentication required'),
      opts.authTimeoutMs ?? DEFAULT_AUTH_TIMEOUT_MS
    )
    ws.on('close', () => {
      clearTimeout(authTimer)
      authenticated.delete(ws)
    })
    ws.on('error', () => ws.terminate())
    ws.on('message', (data, isBinary) => {
      const frame = isBinary ? undefined : parse(data)
      if (!authenticated.has(ws)) {
        clearTimeout(authTimer)
        const session = admit(frame)
        if (!session) {
          ws.close(POLICY_VIOLATION, 'unauthorized')
          return
        }
        authenticated.add(ws)
        ws.send(JSON.stringify({ kind: 'auth-ok', session } satisfies AuthAccepted))
        return
      }
      if (inFlight >= MAX_IN_FLIGHT) {
        ws.close(POLICY_VIOLATION, 'too many requests in flight')
        return
      }
      inFlight++
      void dispatchFromPage(opts.host, frame)
        .then((response) => {
          if (response && ws.readyState === ws.OPEN) ws.send(serialise(response))
        })
        .finally(() => inFlight--)
    })
  }

  server.on('request', (req, res) => {
    serveStatic(req, res).catch(() => res.destroy())
  })
  server.on('upgrade', onUpgrade)
  server.on('clientError', (_err, socket) => socket.destroy())

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, LOOPBACK, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  hostHeader = `${LOOPBACK}:${port}`
  origin = `http://${hostHeader}`
  opts.host.on('event', onHostEvent)

  const newUrl = (): string => `${origin}/#${CODE_PARAM}=${newCode()}`
  return {
    url: newUrl(),
    port,
    newUrl,
    async close() {
      opts.host.off('event', onHostEvent)
      for (const ws of wss.clients) ws.terminate()
      authenticated.clear()
      await new Promise<void>((resolve) => wss.close(() => resolve()))
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await sessions.flushed()
    }
  }
}

function dispatchFromPage(host: ApiHost, frame: unknown): Promise<WireFrame | null> {
  const { id, method } = (frame ?? {}) as { id?: unknown; method?: unknown }
  if (typeof method === 'string' && WEB_SHELL_REFUSED.includes(method) && typeof id === 'number' && Number.isSafeInteger(id)) {
    const message = `${method} names a file on the node's disk, which the web shell does not allow: upload or download through the page`
    return Promise.resolve({ kind: 'response', id, ok: false, error: { code: 'unauthorized', message } })
  }
  return dispatch(host, frame)
}

/** A result that cannot be serialised is the host's bug; the caller still gets an answer. */
function serialise(response: WireFrame): string {
  try {
    return JSON.stringify(response)
  } catch (err) {
    console.error('cairn: unserialisable response', err)
    const id = response.kind === 'response' ? response.id : 0
    return JSON.stringify({
      kind: 'response',
      id,
      ok: false,
      error: { code: 'internal', message: 'internal error (details are in the local log)' }
    } satisfies WireFrame)
  }
}

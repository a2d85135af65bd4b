// How the renderer reaches the core: Electron's preload bridge when it is there, else the web
// shell's WebSocket. The rest of the renderer sees only an ApiClient either way.
import type { CairnBridge } from '../../../core/api/bridge'
import { createApiClient, type ApiClient } from '../../../core/api/client'
import { CairnError } from '../../../core/api/errors'
import { API_PATH, CODE_PARAM, POLICY_VIOLATION, type AuthAccepted, type AuthRequest } from '../../../core/api/handshake'
import type { NotificationPrefs } from '../../../core/api/notification'
import type { ContactId, WireFrame } from '../../../core/api/types'

export type { ApiClient }

const SESSION_KEY = 'cairn.session'

declare global {
  interface Window {
    cairn?: CairnBridge
  }
}

/** signal: the caller gave up on this attempt; a socket still opening is closed. */
export function connectApi(signal?: AbortSignal): Promise<ApiClient> {
  return window.cairn ? Promise.resolve(connectBridge(window.cairn)) : connectWebSocket(signal)
}

/**
 * Tells the shell which conversation is on screen (null: none), so it does not notify about
 * messages the user is already looking at. Only Electron notifies; elsewhere this does nothing.
 */
export function setOpenConversation(contact: ContactId | null): void {
  window.cairn?.viewing(contact)
}

/**
 * Tells Electron's main process, which shows the app's desktop notifications, what they may show and
 * which conversations are muted (the choice lives in this page's storage). Elsewhere this does nothing.
 */
export function setNotificationPrefs(prefs: NotificationPrefs): void {
  // Plain copies: a reactive proxy cannot cross the context bridge.
  window.cairn?.notificationPrefs({ notify: prefs.notify, muted: [...prefs.muted] })
}

function connectBridge(bridge: CairnBridge): ApiClient {
  const client = createApiClient((frame) => {
    if (frame.kind !== 'request') return
    bridge.request(frame).then(client.receive, (err: unknown) =>
      client.receive({
        kind: 'response',
        id: frame.id,
        ok: false,
        error: { code: 'internal', message: err instanceof Error ? err.message : String(err) }
      })
    )
  })
  bridge.onEvent((event) => client.receive({ kind: 'event', event }))
  return client
}

/**
 * The single-use code arrives in the URL fragment (never sent over HTTP, out of the address bar and
 * history at once) and is presented on the first connection only; the session credential the shell
 * gives for it is kept for this tab, so a reload, a reconnection and a restarted shell of the same
 * profile let the page back in.
 */
function takeCode(): string | null {
  const code = new URLSearchParams(location.hash.slice(1)).get(CODE_PARAM)
  if (code) history.replaceState(history.state, '', location.pathname + location.search)
  return code
}

let pendingCode: string | null = typeof location === 'undefined' ? null : takeCode()

function authRequest(): AuthRequest | null {
  const code = pendingCode
  pendingCode = null
  if (code) return { kind: 'auth', code }
  const session = sessionStorage.getItem(SESSION_KEY)
  return session ? { kind: 'auth', session } : null
}

function connectWebSocket(signal?: AbortSignal): Promise<ApiClient> {
  if (signal?.aborted) return Promise.reject(new CairnError('internal', 'the attempt to reach Cairn was given up'))
  const auth = authRequest()
  if (!auth) {
    return Promise.reject(
      new CairnError('unauthorized', 'this page was opened without its access code: open the URL the shell printed')
    )
  }
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${location.host}${API_PATH}`)
    const client = createApiClient((frame) => ws.send(JSON.stringify(frame)))
    let ready = false
    const giveUp = () => {
      if (ready) return
      ws.close()
      reject(new CairnError('internal', 'the attempt to reach Cairn was given up'))
    }
    signal?.addEventListener('abort', giveUp, { once: true })
    ws.onopen = () => ws.send(JSON.stringify(auth))
    ws.onmessage = (msg) => {
      let frame: unknown
      try {
        frame = JSON.parse(String(msg.data))
      } catch {
        return
      }
      if (!ready) {
        const accepted = frame as Partial<AuthAccepted> | null
        if (accepted?.kind !== 'auth-ok' || typeof accepted.session !== 'string') return
        sessionStorage.setItem(SESSION_KEY, accepted.session)
        ready = true
        signal?.removeEventListener('abort', giveUp)
        resolve(client)
        return
      }
      client.receive(frame as WireFrame)
    }
    ws.onclose = (ev) => {
      client.close()
      signal?.removeEventListener('abort', giveUp)
      if (ready || signal?.aborted) return
      // Only the shell's own refusal forgets the credential: a shell that is down or restarting is
      // retried with it.
      if (ev.code === POLICY_VIOLATION) {
        // A spent link opened again in a tab that already has its credential (the address pasted
        // back, the tab restored) goes on with that credential.
        if ('code' in auth && sessionStorage.getItem(SESSION_KEY)) {
          resolve(connectWebSocket(signal))
          return
        }
        sessionStorage.removeItem(SESSION_KEY)
        reject(
          new CairnError(
            'unauthorized',
            'the Cairn shell refused this page (a link works once, within a minute): open the URL the shell printed, or a new one'
          )
        )
      } else {
        reject(new CairnError('internal', 'Cairn is not reachable at this address: is the shell still running?'))
      }
    }
  })
}

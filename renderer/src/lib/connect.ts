// How the renderer reaches the core: Electron's preload bridge when it is there, else the web
// shell's WebSocket. The rest of the renderer sees only an ApiClient either way.
import type { CairnBridge } from '../../../core/api/bridge'
import { createApiClient, type ApiClient } from '../../../core/api/client'
import { CairnError } from '../../../core/api/errors'
import { API_PATH, POLICY_VIOLATION, type AuthRequest } from '../../../core/api/handshake'
import type { ContactId, WireFrame } from '../../../core/api/types'

export type { ApiClient }

const TOKEN_KEY = 'cairn.token'

declare global {
  interface Window {
    cairn?: CairnBridge
  }
}

export function connectApi(): Promise<ApiClient> {
  return window.cairn ? Promise.resolve(connectBridge(window.cairn)) : connectWebSocket()
}

/**
 * Tells the shell which conversation is on screen (null: none), so it does not notify about
 * messages the user is already looking at. Only Electron notifies; elsewhere this does nothing.
 */
export function setOpenConversation(contact: ContactId | null): void {
  window.cairn?.viewing(contact)
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
 * The token arrives once in the URL fragment (never sent to a server, never in history after this)
 * and is kept for this tab only, so a reload still connects.
 */
function takeToken(): string | null {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token')
  if (fromHash) {
    sessionStorage.setItem(TOKEN_KEY, fromHash)
    history.replaceState(history.state, '', location.pathname + location.search)
    return fromHash
  }
  return sessionStorage.getItem(TOKEN_KEY)
}

function connectWebSocket(): Promise<ApiClient> {
  const token = takeToken()
  if (!token) {
    return Promise.reject(
      new CairnError('unauthorized', 'this page was opened without its access token: open the URL the shell printed')
    )
  }
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${location.host}${API_PATH}`)
    const client = createApiClient((frame) => ws.send(JSON.stringify(frame)))
    let ready = false
    ws.onopen = () => ws.send(JSON.stringify({ kind: 'auth', token } satisfies AuthRequest))
    ws.onmessage = (msg) => {
      let frame: unknown
      try {
        frame = JSON.parse(String(msg.data))
      } catch {
        return
      }
      if (!ready) {
        if ((frame as { kind?: unknown } | null)?.kind !== 'auth-ok') return
        ready = true
        resolve(client)
        return
      }
      client.receive(frame as WireFrame)
    }
    ws.onclose = (ev) => {
      client.close()
      if (ready) return
      // Only the shell's own refusal forgets the token: a shell that is down or restarting is
      // retried with it.
      if (ev.code === POLICY_VIOLATION) {
        sessionStorage.removeItem(TOKEN_KEY)
        reject(new CairnError('unauthorized', 'the Cairn shell refused this page: open the URL the shell printed'))
      } else {
        reject(new CairnError('internal', 'Cairn is not reachable at this address: is the shell still running?'))
      }
    }
  })
}

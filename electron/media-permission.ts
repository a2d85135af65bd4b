// Camera and microphone for calls, and nothing else: a media request is granted only to the app's
// own origin and only while the user is starting a call or is in one they accepted (or placed).
// Every other permission, and media at any other time, stays denied. Free of Electron, so it is
// tested in plain Node.
import type { CairnEvent } from '../core/api/types'
import type { ApiHost } from '../core/host/dispatch'
import { APP_HOST, APP_SCHEME } from './app-url'

export interface MediaGate {
  /** permission as Electron names it ('media'), the requesting page's URL. */
  allows(permission: string, requestingUrl: string): boolean
  close(): void
}

export function watchCallsForMedia(host: ApiHost): MediaGate {
  const open = new Set<string>()
  const onEvent = (e: CairnEvent) => {
    if (e.type === 'call-ended') open.delete(e.call.id)
    else if (e.type === 'call' && (e.call.direction === 'out' || e.call.phase === 'active')) open.add(e.call.id)
    else if (e.type === 'locked') open.clear()
  }
  host.on('event', onEvent)
  return {
    allows(permission, requestingUrl) {
      if (permission !== 'media' || open.size === 0) return false
      // A custom scheme's URL has an opaque origin ('null'), so the scheme and host are compared.
      try {
        const url = new URL(requestingUrl)
        return url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST
      } catch {
        return false
      }
    },
    close: () => host.off('event', onEvent)
  }
}

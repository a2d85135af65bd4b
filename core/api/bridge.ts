// The contract between the preload script and the renderer: the API's wire frames and its events,
// plus which conversation is on screen and what notifications may show. Nothing from Electron or Node crosses it.
import type { NotificationPrefs } from './notification'
import type { CairnEvent, ContactId, WireFrame } from './types'

export type RequestFrame = Extract<WireFrame, { kind: 'request' }>
export type ResponseFrame = Extract<WireFrame, { kind: 'response' }>

/** What preload.ts exposes as `window.cairn`. */
export interface CairnBridge {
  request(frame: RequestFrame): Promise<ResponseFrame>
  onEvent(cb: (event: CairnEvent) => void): () => void
  viewing(contact: ContactId | null): void
  /** What desktop notifications may show, and the muted conversations: the page's preference, told on every change. */
  notificationPrefs(prefs: NotificationPrefs): void
}

/** IPC channel names, shared by main and preload. */
export const IPC = {
  request: 'cairn:request',
  event: 'cairn:event',
  viewing: 'cairn:viewing',
  notificationPrefs: 'cairn:notification-prefs'
} as const

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
  /** Asks where to save a message's file (the system's save dialog) and saves it there; null if cancelled. */
  saveFile(contact: ContactId, message: string): Promise<string | null>
  /** Opens a message's file with the system's application for its type (refused for programs and scripts). */
  openFile(contact: ContactId, message: string): Promise<void>
}

/** IPC channel names, shared by main and preload. */
export const IPC = {
  request: 'cairn:request',
  event: 'cairn:event',
  viewing: 'cairn:viewing',
  notificationPrefs: 'cairn:notification-prefs',
  saveFile: 'cairn:save-file',
  openFile: 'cairn:open-file'
} as const

/** How main answers saveFile and openFile over IPC (the preload turns a failure back into an Error). */
export type ActionResult<T> = { ok: true; value: T } | { ok: false; error: { code: string; message: string } }

/** Where the app's own scheme serves a message's file bytes (with range requests), in Electron. */
export const FILE_ROUTE = '/files/'

const ROUTE = /^\/files\/([a-z0-9]{1,128})\/([0-9a-f]{12}-\d{1,15})$/

export function fileRoutePath(contact: ContactId, message: string): string {
  return `${FILE_ROUTE}${contact}/${message}`
}

/** The contact and message a file route names; null for anything else (no encoding, no extra segment). */
export function parseFileRoute(pathname: string): { contact: ContactId; message: string } | null {
  const m = ROUTE.exec(pathname)
  return m ? { contact: m[1], message: m[2] } : null
}

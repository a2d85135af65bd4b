// The main-process side of the preload bridge, free of Electron imports so it runs (and is tested)
// in plain Node: every call checks that it comes from the app's own page, then goes through the same
// validation and dispatch as every other transport.
import type { ActionResult, ResponseFrame } from '../core/api/bridge'
import { parseNotificationPrefs, type NotificationPrefs } from '../core/api/notification'
import { CairnError } from '../core/api/errors'
import type { ContactId } from '../core/api/types'
import { CONTACT_ID_MAX } from '../core/api/validate'
import { dispatch, type ApiHost, type Logger } from '../core/host/dispatch'
import { isAppUrl } from './app-url'

/** The part of Electron's IpcMainEvent / IpcMainInvokeEvent these handlers read. */
export interface IpcSender {
  senderFrame: { url: string } | null
}

export interface IpcHandlers {
  request(event: IpcSender, frame: unknown): Promise<ResponseFrame>
  viewing(event: IpcSender, contact: unknown): void
  notificationPrefs(event: IpcSender, prefs: unknown): void
  saveFile(event: IpcSender, contact: unknown, message: unknown): Promise<ActionResult<string | null>>
  openFile(event: IpcSender, contact: unknown, message: unknown): Promise<ActionResult<void>>
}

/** Save and Open of a file (see file-actions.ts). */
export interface FileActionsPort {
  save(contact: ContactId, message: string): Promise<string | null>
  open(contact: ContactId, message: string): Promise<void>
}

const MESSAGE_ID = /^[0-9a-f]{12}-\d{1,15}$/

/** Checks the sender and the arguments of a file action, then runs it; every failure is a result, never a throw. */
async function fileAction<T>(event: IpcSender, contact: unknown, message: unknown, run: (c: ContactId, m: string) => Promise<T>): Promise<ActionResult<T>> {
  if (!isAppUrl(event.senderFrame?.url)) return { ok: false, error: { code: 'unauthorized', message: 'IPC from a page that is not Cairn' } }
  if (typeof contact !== 'string' || contact.length === 0 || contact.length > CONTACT_ID_MAX || typeof message !== 'string' || !MESSAGE_ID.test(message)) {
    return { ok: false, error: { code: 'invalid-argument', message: 'a file action names a contact and a message id' } }
  }
  try {
    return { ok: true, value: await run(contact, message) }
  } catch (err) {
    const e = CairnError.from(err)
    return { ok: false, error: { code: e.code, message: e.message } }
  }
}

function refused(frame: unknown, code: 'unauthorized' | 'invalid-argument', message: string): ResponseFrame {
  const id = (frame as { id?: unknown } | null)?.id
  return { kind: 'response', id: typeof id === 'number' ? id : 0, ok: false, error: { code, message } }
}

export function createIpcHandlers(opts: {
  host: ApiHost
  onViewing(contact: ContactId | null): void
  onNotificationPrefs(prefs: NotificationPrefs): void
  files: FileActionsPort
  log?: Logger
}): IpcHandlers {
  return {
    async request(event, frame) {
      if (!isAppUrl(event.senderFrame?.url)) return refused(frame, 'unauthorized', 'IPC from a page that is not Cairn')
      const response = await dispatch(opts.host, frame, opts.log)
      if (response?.kind === 'response') return response
      return refused(frame, 'invalid-argument', 'not a request frame')
    },
    viewing(event, contact) {
      if (!isAppUrl(event.senderFrame?.url)) return
      if (contact === null) opts.onViewing(null)
      else if (typeof contact === 'string' && contact.length > 0 && contact.length <= CONTACT_ID_MAX) opts.onViewing(contact)
    },
    notificationPrefs(event, prefs) {
      if (!isAppUrl(event.senderFrame?.url)) return
      const parsed = parseNotificationPrefs(prefs)
      if (parsed) opts.onNotificationPrefs(parsed)
    },
    saveFile: (event, contact, message) => fileAction(event, contact, message, (c, m) => opts.files.save(c, m)),
    openFile: (event, contact, message) => fileAction(event, contact, message, (c, m) => opts.files.open(c, m))
  }
}

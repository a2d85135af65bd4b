// Runs sandboxed in the renderer with context isolation: exposes the wire protocol of the API and
// the on-screen conversation, and not ipcRenderer or anything else from Electron.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import type { NotificationPrefs } from '../core/api/notification'
import { IPC, type ActionResult, type CairnBridge, type RequestFrame, type ResponseFrame } from '../core/api/bridge'
import type { CairnEvent, ContactId } from '../core/api/types'

const bridge: CairnBridge = {
  request: (frame: RequestFrame): Promise<ResponseFrame> => ipcRenderer.invoke(IPC.request, frame),
  onEvent(cb: (event: CairnEvent) => void) {
    const listener = (_e: IpcRendererEvent, event: CairnEvent) => cb(event)
    ipcRenderer.on(IPC.event, listener)
    return () => {
      ipcRenderer.off(IPC.event, listener)
    }
  },
  viewing: (contact: ContactId | null) => ipcRenderer.send(IPC.viewing, contact),
  notificationPrefs: (prefs: NotificationPrefs) => ipcRenderer.send(IPC.notificationPrefs, prefs),
  saveFile: async (contact: ContactId, message: string) => unwrap<string | null>(await ipcRenderer.invoke(IPC.saveFile, contact, message)),
  openFile: async (contact: ContactId, message: string) => unwrap<void>(await ipcRenderer.invoke(IPC.openFile, contact, message))
}

function unwrap<T>(result: ActionResult<T>): T {
  if (result.ok) return result.value
  throw new Error(result.error.message)
}

contextBridge.exposeInMainWorld('cairn', bridge)

// The Electron main process: one CairnHost for the profile, one window, the API bridged over IPC,
// notifications, badge and tray. Security follows Electron's checklist: isolated sandboxed
// renderer, app-scheme content only, every IPC sender checked, navigation, new windows and
// permission requests denied (but camera and microphone for the app's page during a call), links
// opened outside only after the user says so.
import { createHash } from 'node:crypto'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  protocol,
  screen,
  session,
  shell,
  Tray,
  type WebContents
} from 'electron'
import { IPC } from '../core/api/bridge'
import type { CairnEvent } from '../core/api/types'
import { CairnHost } from '../core/host/host'
import { watchCallsForMedia } from './media-permission'
import { realRendererDir } from '../shell/static'
import { APP_ENTRY, APP_SCHEME, isAppUrl } from './app-url'
import { serveAppRequest } from './app-protocol'
import { parseAppArgs, type AppArgs } from './args'
import { watchAttention, type Attention } from './attention'
import { FileActions } from './file-actions'
import { createIpcHandlers } from './ipc'
import { externalLink } from './links'
import { loadWindowState, placeOnScreen, saveWindowState } from './window-state'

function readArgs(): AppArgs {
  try {
    return parseAppArgs(process.argv.slice(app.isPackaged ? 1 : 2))
  } catch (err) {
    dialog.showErrorBox('Cairn cannot start', err instanceof Error ? err.message : String(err))
    return process.exit(2)
  }
}

const args = readArgs()
const rendererDir = join(__dirname, '..', 'renderer-dist')
const iconPath = join(__dirname, 'icon.png')

// Chromium's own data (and with it the single-instance lock) lives per profile, so two profiles run
// side by side while a second launch on the same profile only focuses the first.
const profileKey = createHash('sha256').update(args.profileDir).digest('hex').slice(0, 16)
app.setPath('userData', join(app.getPath('userData'), 'profiles', profileKey))

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } }
])

let win: BrowserWindow | null = null
let tray: Tray | null = null
let files: FileActions | null = null
let host: CairnHost | null = null
let attention: Attention | null = null
let quitting = false
let hostClosed = false

async function confirmExternal(parent: BrowserWindow | null, url: string): Promise<void> {
  const link = externalLink(url)
  if (!link) return
  const options = {
    type: 'question' as const,
    buttons: ['Cancel', 'Open in browser'],
    defaultId: 0,
    cancelId: 0,
    message: 'Open this link in your browser?',
    detail: link
  }
  const { response } = parent ? await dialog.showMessageBox(parent, options) : await dialog.showMessageBox(options)
  if (response === 1) await shell.openExternal(link)
}

function lockDown(contents: WebContents): void {
  contents.setWindowOpenHandler(({ url }) => {
    void confirmExternal(BrowserWindow.fromWebContents(contents), url)
    return { action: 'deny' }
  })
  contents.on('will-navigate', (event, url) => {
    event.preventDefault()
    if (!isAppUrl(url)) void confirmExternal(BrowserWindow.fromWebContents(contents), url)
  })
  contents.on('will-redirect', (event) => event.preventDefault())
  contents.on('will-attach-webview', (event) => event.preventDefault())
}

function showWindow(): void {
  if (!win) return
  if (win.isMinimized()) win.restore()
  win.show()
  win.focus()
}

function setUnread(total: number): void {
  app.setBadgeCount(total)
  win?.setTitle(total > 0 ? `(${total}) Cairn` : 'Cairn')
  tray?.setToolTip(total > 0 ? `Cairn: ${total} unread` : 'Cairn')
}

async function createWindow(): Promise<void> {
  const state = placeOnScreen(
    await loadWindowState(args.profileDir),
    screen.getAllDisplays().map((d) => d.workArea)
  )
  win = new BrowserWindow({
    ...state,
    minWidth: 360,
    minHeight: 360,
    show: false,
    title: 'Cairn',
    icon: iconPath,
    webPreferences: {
      preload: join(__dirname, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      devTools: !app.isPackaged
    }
  })
  if (state.maximized) win.maximize()
  win.once('ready-to-show', () => win?.show())
  win.on('close', (event) => {
    if (!win) return
    const bounds = win.getNormalBounds()
    void saveWindowState(args.profileDir, { ...bounds, maximized: win.isMaximized() }).catch(() => {})
    // With a tray the app keeps receiving messages when its window is closed.
    if (tray && !quitting) {
      event.preventDefault()
      win.hide()
    }
  })
  win.on('closed', () => {
    win = null
  })
  await win.loadURL(APP_ENTRY)
}

function createTray(): void {
  const image = nativeImage.createFromPath(iconPath)
  if (image.isEmpty()) return
  tray = new Tray(image.resize({ width: 22, height: 22 }))
  tray.setToolTip('Cairn')
  tray.setContextMenu(
    Menu.buildFromTemplate([
      { label: 'Open Cairn', click: showWindow },
      { type: 'separator' },
      { label: 'Quit', click: () => app.quit() }
    ])
  )
  tray.on('click', showWindow)
}

async function start(): Promise<void> {
  await mkdir(args.profileDir, { recursive: true, mode: 0o700 })
  const root = await realRendererDir(rendererDir)
  const cairn = new CairnHost({ profileDir: args.profileDir, bootstrap: args.bootstrap, lanDiscovery: args.lanDiscovery })
  host = cairn
  protocol.handle(APP_SCHEME, (request) =>
    serveAppRequest(root, { url: request.url, method: request.method, range: request.headers.get('range') }, cairn)
  )
  // Everything denied except camera and microphone for the app's own page during a call.
  const media = watchCallsForMedia(cairn)
  const permissions = session.defaultSession
  permissions.setPermissionRequestHandler((_contents, permission, callback, details) => callback(media.allows(permission, details.requestingUrl)))
  permissions.setPermissionCheckHandler((_contents, permission, requestingOrigin) => media.allows(permission, requestingOrigin))
  cairn.on('event', (event: CairnEvent) => win?.webContents.send(IPC.event, event))
  attention = watchAttention(cairn, {
    isFocused: () => win?.isFocused() ?? false,
    setUnread,
    notify(title, body) {
      if (!Notification.isSupported()) return
      const note = new Notification({ title, body, icon: iconPath })
      note.on('click', showWindow)
      note.show()
    }
  })
  files = new FileActions({
    host: cairn,
    profileDir: args.profileDir,
    downloadsDir: app.getPath('downloads'),
    // decrypted copies handed to other applications; removed when Cairn quits
    openDir: join(app.getPath('temp'), `cairn-opened-${profileKey}`),
    async showSaveDialog(defaultPath) {
      const chosen = win ? await dialog.showSaveDialog(win, { defaultPath }) : await dialog.showSaveDialog({ defaultPath })
      return chosen.canceled || !chosen.filePath ? null : chosen.filePath
    },
    openPath: (path) => shell.openPath(path)
  })
  const handlers = createIpcHandlers({
    host: cairn,
    onViewing: (contact) => attention?.viewing(contact),
    onNotificationPrefs: (prefs) => attention?.preferences(prefs),
    files
  })
  ipcMain.handle(IPC.request, (event, frame: unknown) => handlers.request(event, frame))
  ipcMain.handle(IPC.saveFile, (event, contact: unknown, message: unknown) => handlers.saveFile(event, contact, message))
  ipcMain.handle(IPC.openFile, (event, contact: unknown, message: unknown) => handlers.openFile(event, contact, message))
  ipcMain.on(IPC.viewing, (event, contact: unknown) => handlers.viewing(event, contact))
  ipcMain.on(IPC.notificationPrefs, (event, prefs: unknown) => handlers.notificationPrefs(event, prefs))

  createTray()
  await createWindow()
}

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  app.on('second-instance', showWindow)
  app.on('web-contents-created', (_event, contents) => lockDown(contents))
  app.on('activate', () => {
    if (win) showWindow()
    else if (host) void createWindow()
  })
  app.on('window-all-closed', () => {
    if (!tray) app.quit()
  })
  app.on('before-quit', (event) => {
    quitting = true
    if (hostClosed || !host) return
    event.preventDefault()
    attention?.close()
    void Promise.allSettled([host.close(), files?.close()]).finally(() => {
      hostClosed = true
      app.quit()
    })
  })
  app.whenReady().then(start).catch((err: unknown) => {
    dialog.showErrorBox('Cairn could not start', err instanceof Error ? err.message : String(err))
    app.exit(1)
  })
}

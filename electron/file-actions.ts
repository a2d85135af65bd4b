// Save and Open for a received file in Electron, free of Electron imports (main.ts hands in the save
// dialog and shell.openPath) so they run and are tested in plain Node. The node decrypts and checks
// the file into a folder under a safe name (saveFile); here only the place is chosen and checked:
// never inside the profile folder, never a relative path, and Open refuses anything the system
// would run rather than show.
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises'
import { basename, dirname, extname, isAbsolute, join, relative, resolve } from 'node:path'
import { CairnError } from '../core/api/errors'
import type { ContactId, FileInfo } from '../core/api/types'

export interface FileActionHost {
  fileInfo(contact: ContactId, message: string): Promise<FileInfo>
  saveFile(contact: ContactId, message: string, folder: string): Promise<string>
}

export interface FileActionDeps {
  host: FileActionHost
  profileDir: string
  /** Where the save dialog starts. */
  downloadsDir: string
  /** A private folder for files opened with the system, emptied by close(). */
  openDir: string
  /** The system's save dialog: the chosen path, or null when cancelled. */
  showSaveDialog(defaultPath: string): Promise<string | null>
  /** shell.openPath: resolves to an error text, '' on success. */
  openPath(path: string): Promise<string>
}

/** Extensions a desktop would run, install or interpret rather than show: never opened from here. */
const RUNNABLE = new Set(
  (
    'exe com bat cmd msi msix msp scr pif cpl ps1 psm1 vbs vbe js jse wsf wsh hta jar appimage app command ' +
    'sh bash zsh csh fish run bin desktop deb rpm dmg pkg mpkg apk lnk url reg inf scf py pyw pl rb php elf out so dll'
  ).split(' ')
)

export function isRunnable(name: string): boolean {
  const ext = extname(name).slice(1).toLowerCase()
  return ext === '' ? false : RUNNABLE.has(ext)
}

function inside(folder: string, path: string): boolean {
  const rel = relative(resolve(folder), resolve(path))
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))
}

/** A path the save dialog returned: absolute, and outside the profile folder. */
export function checkSaveTarget(path: string, profileDir: string): string {
  if (!isAbsolute(path)) throw new CairnError('invalid-argument', 'the save dialog returned a path that is not absolute')
  if (inside(profileDir, path)) throw new CairnError('invalid-argument', 'a file cannot be saved inside the profile folder')
  return resolve(path)
}

async function readyFile(host: FileActionHost, contact: ContactId, message: string): Promise<FileInfo> {
  const info = await host.fileInfo(contact, message)
  if (info.state !== 'ready') throw new CairnError('file-refused', 'the file is not downloaded yet')
  return info
}

export class FileActions {
  private opened: Promise<string> | null = null

  constructor(private readonly deps: FileActionDeps) {}

  /** Asks where, then saves the file there; the dialog already asked before replacing a file. Null if cancelled. */
  async save(contact: ContactId, message: string): Promise<string | null> {
    const info = await readyFile(this.deps.host, contact, message)
    const chosen = await this.deps.showSaveDialog(join(this.deps.downloadsDir, info.name))
    if (chosen === null) return null
    const target = checkSaveTarget(chosen, this.deps.profileDir)
    const saved = await this.deps.host.saveFile(contact, message, dirname(target))
    if (saved !== target) await rename(saved, target)
    return target
  }

  /** Saves the file into a private folder and opens it with the system's application for it. */
  async open(contact: ContactId, message: string): Promise<void> {
    const info = await readyFile(this.deps.host, contact, message)
    if (isRunnable(info.name)) throw new CairnError('file-refused', `${info.name} could run as a program; save it and open it yourself if you trust it`)
    // one folder per file, so the file keeps its own name for the application that opens it
    const folder = await mkdtemp(join(await this.openFolder(), 'f-'))
    const path = await this.deps.host.saveFile(contact, message, folder)
    if (basename(path) !== info.name && isRunnable(basename(path))) throw new CairnError('file-refused', 'the saved name could run as a program')
    const failure = await this.deps.openPath(path)
    if (failure) throw new CairnError('file-refused', `the system could not open ${info.name}: ${failure}`)
  }

  /** Removes every file opened with the system in this run. */
  async close(): Promise<void> {
    if (this.opened) await rm(await this.opened, { recursive: true, force: true })
    this.opened = null
  }

  private openFolder(): Promise<string> {
    this.opened ??= mkdir(this.deps.openDir, { recursive: true, mode: 0o700 }).then(() => this.deps.openDir)
    return this.opened
  }
}

// The window's last size and place, kept in the profile folder. The file is read as untrusted: a
// damaged or hand-edited one means default bounds, never a crash or an off-screen giant window.
import { randomBytes } from 'node:crypto'
import { readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export interface WindowState {
  x?: number
  y?: number
  width: number
  height: number
  maximized: boolean
}

export const WINDOW_STATE_FILE = 'window-state.json'
export const DEFAULT_WINDOW_STATE: WindowState = { width: 1000, height: 700, maximized: false }
const MIN_SIZE = 360
const MAX_SIZE = 16_384
const MAX_FILE_BYTES = 4096

function intIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max
}

export function parseWindowState(text: string): WindowState | null {
  if (text.length > MAX_FILE_BYTES) return null
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    return null
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null
  const { x, y, width, height, maximized } = raw as Record<string, unknown>
  if (!intIn(width, MIN_SIZE, MAX_SIZE) || !intIn(height, MIN_SIZE, MAX_SIZE) || typeof maximized !== 'boolean') return null
  const state: WindowState = { width, height, maximized }
  if (intIn(x, -MAX_SIZE, MAX_SIZE) && intIn(y, -MAX_SIZE, MAX_SIZE)) {
    state.x = x
    state.y = y
  }
  return state
}

export interface Area {
  x: number
  y: number
  width: number
  height: number
}

/**
 * Keeps the saved position only if enough of the window's title bar would land on a display that
 * is connected now; otherwise the window manager places it (a monitor may have been unplugged).
 */
export function placeOnScreen(state: WindowState, workAreas: Area[]): WindowState {
  if (state.x === undefined || state.y === undefined) return state
  const { x, y } = state
  const grip = { x, y, width: Math.min(state.width, 200), height: 40 }
  const visible = workAreas.some(
    (a) => grip.x < a.x + a.width && grip.x + grip.width > a.x && grip.y < a.y + a.height && grip.y + grip.height > a.y
  )
  if (visible) return state
  return { width: state.width, height: state.height, maximized: state.maximized }
}

export async function loadWindowState(profileDir: string): Promise<WindowState> {
  try {
    return parseWindowState(await readFile(join(profileDir, WINDOW_STATE_FILE), 'utf8')) ?? { ...DEFAULT_WINDOW_STATE }
  } catch {
    return { ...DEFAULT_WINDOW_STATE }
  }
}

/** Written beside the target and renamed over it, so a crash leaves the old file or the new one. */
export async function saveWindowState(profileDir: string, state: WindowState): Promise<void> {
  const target = join(profileDir, WINDOW_STATE_FILE)
  const temp = `${target}.${randomBytes(4).toString('hex')}.tmp`
  try {
    await writeFile(temp, JSON.stringify(state), { mode: 0o600 })
    await rename(temp, target)
  } catch (err) {
    await rm(temp, { force: true })
    throw err
  }
}

import { homedir } from 'node:os'
import { join } from 'node:path'

/** The platform's per-user data folder for Cairn, used when neither a flag nor CAIRN_PROFILE names one. */
export function defaultProfileDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Cairn')
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Cairn')
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'cairn')
}

/** Flag first, then the environment, then the platform default: every shell resolves the profile the same way. */
export function resolveProfileDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag || env.CAIRN_PROFILE || defaultProfileDir(env)
}

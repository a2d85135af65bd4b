// The Electron app's own flags. Chromium's switches and Electron's app path share argv, so
// unknown options are tolerated rather than fatal.
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { parseBootstrap, resolveProfileDir, type BootstrapNode } from '../core/host/options'

export interface AppArgs {
  profileDir: string
  bootstrap: BootstrapNode[] | undefined
  /** false when --no-lan is given; otherwise the profile's own setting applies. */
  lanDiscovery: false | undefined
}

export function parseAppArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): AppArgs {
  const { values } = parseArgs({
    args: argv,
    options: { profile: { type: 'string' }, bootstrap: { type: 'string' }, 'no-lan': { type: 'boolean' } },
    strict: false,
    allowPositionals: true
  })
  const profile = typeof values.profile === 'string' ? values.profile : undefined
  const bootstrap = typeof values.bootstrap === 'string' ? values.bootstrap : env.CAIRN_BOOTSTRAP
  return {
    profileDir: resolve(resolveProfileDir(profile, env)),
    bootstrap: parseBootstrap(bootstrap),
    lanDiscovery: values['no-lan'] === true ? false : undefined
  }
}

import type { Writable } from 'node:stream'
import type { HostOptions } from '../core/host/host'
import { parseBootstrap, resolveProfileDir } from '../core/host/options'
import type { GlobalOptions } from './args'
import { controlSocketPath } from './control-socket'
import type { PassphraseSources } from './passphrase'
import type { TtyInput } from './prompt'

/** Everything a command reads from its surroundings, resolved once from flags and environment. */
export interface CliContext {
  globals: GlobalOptions
  hostOptions: HostOptions
  socketPath: string
  passphrase: PassphraseSources
  stdin: TtyInput | NodeJS.ReadableStream
  stdout: Writable
  stderr: Writable
}

export function createContext(
  globals: GlobalOptions,
  env: NodeJS.ProcessEnv,
  stdio: { stdin: TtyInput | NodeJS.ReadableStream; stdout: Writable; stderr: Writable }
): CliContext {
  const profileDir = resolveProfileDir(globals.profile, env)
  return {
    globals,
    hostOptions: {
      profileDir,
      bootstrap: parseBootstrap(globals.bootstrap ?? env.CAIRN_BOOTSTRAP),
      ...(globals.noLan ? { lanDiscovery: false } : {})
    },
    socketPath: controlSocketPath(profileDir),
    passphrase: { file: globals.passphraseFile, env, input: stdio.stdin, output: stdio.stderr },
    ...stdio
  }
}

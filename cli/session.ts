import { CairnHost } from '../core/api/host'
import { CairnError } from '../core/api/errors'
import type { CairnApi } from '../core/api/types'
import type { CliContext } from './context'
import { connectControl } from './control-client'
import { readPassphrase } from './passphrase'

/** The API a one-shot command works on: the running node's, or a profile opened just for it. */
export interface ApiSession {
  api: CairnApi
  /** True when a running node answered on the control socket. */
  routed: boolean
  close(): Promise<void>
}

/**
 * Reaches the running node if there is one; otherwise opens the profile in this process and, with
 * `unlock`, unlocks it with the passphrase. Never a second writer: if another process holds the
 * profile, the host refuses with 'profile-busy'.
 */
export async function openSession(ctx: CliContext, unlock: boolean): Promise<ApiSession> {
  const routed = await connectControl(ctx.socketPath)
  if (routed) return { api: routed.api, routed: true, close: async () => routed.close() }

  const host = new CairnHost(ctx.hostOptions)
  const session: ApiSession = { api: host, routed: false, close: () => host.close() }
  if (!unlock) return session
  try {
    await unlockHost(ctx, host)
    return session
  } catch (err) {
    await host.close()
    throw err
  }
}

/** Unlocks a host this process opened, asking for the passphrase only when it is needed. */
export async function unlockHost(ctx: CliContext, host: CairnHost): Promise<void> {
  const { profile } = await host.state()
  if (profile === 'unlocked') return
  if (profile === 'none') {
    throw new CairnError('no-profile', `no identity in ${ctx.hostOptions.profileDir}; create one with: cairn init`)
  }
  await host.unlock(await readPassphrase(ctx.passphrase))
}

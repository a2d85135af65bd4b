import { CairnError } from '../core/api/errors'
import type { CairnApi } from '../core/api/types'
import type { CairnHost, HostOptions } from '../core/host/host'
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
  const routed = await connectRouted(ctx.socketPath)
  if (routed) return routed

  // Storage and networking load only here: a command routed to the running node needs neither.
  const { CairnHost } = await import('../core/host/host')
  const host = new CairnHost(offline(ctx.hostOptions))
  const session: ApiSession = { api: host, routed: false, close: () => host.close() }
  if (!unlock) return session
  try {
    await unlockHost(ctx, host)
    return session
  } catch (err) {
    await host.close()
    if (CairnError.from(err).code !== 'profile-busy') throw err
    // A node that is starting holds the profile a moment before its socket appears.
    const late = await waitForSocket(ctx.socketPath)
    if (late) return late
    throw err
  }
}

/**
 * A one-shot command writes durably and exits without touching the network: an empty bootstrap list
 * gives HyperDHT no node to contact, and LAN discovery stays off. Going online for an instant would
 * leave an announcement of this identity at an address that is gone a moment later, and a contact
 * looking it up would try that dead address first.
 */
function offline(opts: HostOptions): HostOptions {
  return { ...opts, bootstrap: [], lanDiscovery: false }
}

async function connectRouted(path: string): Promise<ApiSession | null> {
  const conn = await connectControl(path)
  return conn && { api: conn.api, routed: true, close: async () => conn.close() }
}

const SOCKET_WAIT_MS = 5_000
const SOCKET_POLL_MS = 100

async function waitForSocket(path: string): Promise<ApiSession | null> {
  const deadline = Date.now() + SOCKET_WAIT_MS
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, SOCKET_POLL_MS))
    const routed = await connectRouted(path)
    if (routed) return routed
  }
  return null
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

/** How long `cairn run` waits for a one-shot command that holds the profile for a moment. */
export const BUSY_WAIT_MS = 15_000
const BUSY_POLL_MS = 200

/**
 * Unlocks for a node that will stay online: a profile held by a one-shot command (a send, a
 * history) is waited for, up to BUSY_WAIT_MS, instead of failing; one held by a running node is not.
 */
export async function unlockWhenFree(ctx: CliContext, host: CairnHost): Promise<void> {
  const { profile } = await host.state()
  if (profile === 'none') {
    throw new CairnError('no-profile', `no identity in ${ctx.hostOptions.profileDir}; create one with: cairn init`)
  }
  if (profile === 'unlocked') return
  const passphrase = await readPassphrase(ctx.passphrase)
  const deadline = Date.now() + BUSY_WAIT_MS
  for (let attempt = 0; ; attempt++) {
    try {
      return await host.unlock(passphrase).then(() => undefined)
    } catch (err) {
      if (CairnError.from(err).code !== 'profile-busy' || Date.now() > deadline) throw err
      const running = await connectControl(ctx.socketPath)
      if (running) {
        running.close()
        throw new CairnError('profile-busy', `a cairn node is already running on ${ctx.hostOptions.profileDir}`)
      }
      if (attempt === 0) ctx.stderr.write(`cairn: the profile is held by another command; waiting up to ${BUSY_WAIT_MS / 1000} s\n`)
      await new Promise((resolve) => setTimeout(resolve, BUSY_POLL_MS))
    }
  }
}

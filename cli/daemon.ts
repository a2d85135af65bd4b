import { CairnError } from '../core/api/errors'
import type { CairnEvent } from '../core/api/types'
import { CairnHost } from '../core/host/host'
import { startProfileWebShell } from '../shell/profile-port'
import type { WebShell } from '../shell/web-server'
import type { CliContext } from './context'
import { connectControl } from './control-client'
import { startControlServer } from './control-server'
import { checkSocketPath } from './control-socket'
import { unlockWhenFree } from './session'
import { EventStream } from './event-stream'
import { stopSignal } from './stop-signal'

export interface DaemonOptions {
  /** `cairn serve`: also start the web shell, on this port (0: the profile's last one, else any free one). */
  webShellPort?: number
  /** `--since N`: first print every message event numbered after N, from the store. */
  since?: number
}

/**
 * `cairn run` / `cairn serve`: holds the profile online until SIGINT or SIGTERM, prints every API
 * event as one JSON line on stdout, and serves the control socket for one-shot commands.
 * Resolves once everything is closed and the socket removed.
 */
export async function runDaemon(ctx: CliContext, opts: DaemonOptions): Promise<void> {
  // Before any passphrase prompt: a profile whose socket cannot exist cannot be served.
  checkSocketPath(ctx.socketPath)
  const running = await connectControl(ctx.socketPath)
  if (running) {
    running.close()
    throw new CairnError('profile-busy', `a cairn node is already running on ${ctx.hostOptions.profileDir}`)
  }

  // Listening from the start, so a signal during start-up still closes what was opened.
  const stop = stopSignal()
  // A node without a web shell has no one to ring: it answers calls 'unavailable' and reports them.
  const host = new CairnHost({ ...ctx.hostOptions, canTakeCalls: opts.webShellPort !== undefined })
  const printEvent = (event: CairnEvent) => {
    ctx.stdout.write(JSON.stringify(event) + '\n')
    // A control client locked the profile: a locked node can do nothing, so it goes away cleanly.
    if (event.type === 'locked') stop.trigger()
  }
  const stream = new EventStream(printEvent, opts.since)
  host.on('event', stream.live)
  // Whoever read the events is gone (`cairn run | head -1`): nobody is listening any more.
  ctx.stdout.once('error', stop.trigger)
  const closers: (() => Promise<void>)[] = [() => host.close()]
  const closeAll = async () => {
    host.off('event', stream.live)
    for (const close of closers.reverse()) await close()
  }

  try {
    await unlockWhenFree(ctx, host)
    if (opts.since !== undefined) await stream.replay(host, opts.since)
    let shell: WebShell | null = null
    const control = await startControlServer(host, ctx.socketPath, { webUrl: () => shell?.newUrl() ?? null })
    closers.push(() => control.close())
    if (opts.webShellPort !== undefined) {
      const started = await startProfileWebShell(ctx.hostOptions.profileDir, { host, port: opts.webShellPort })
      shell = started
      closers.push(() => started.close())
      // The URL's code is good once, within a minute: worthless in a log once the page has loaded.
      ctx.stdout.write(ctx.globals.json ? JSON.stringify({ type: 'web-shell', url: shell.url }) + '\n' : `${shell.url}\n`)
    }
    const me = await host.profile()
    ctx.stderr.write(`cairn: online as ${me.id}; control socket ${control.path}; stop with Ctrl-C\n`)
  } catch (err) {
    await closeAll()
    throw err
  }

  await stop.stopped
  await closeAll()
}

import { attachToPeer, LogReader, openOwnLog, openPeerLog, watchIntegrity } from '../log'
import { errorText, type MessengerContext } from './context'
import type { Conversation } from './conversation'
import { consume } from './receive'

/** Opens my log for the contact, and theirs when I know it. */
export async function openLogs(ctx: MessengerContext, c: Conversation): Promise<void> {
  c.own = await openOwnLog(ctx.corestore, c.tag)
  if (c.rec.theirLog) await openTheirs(ctx, c, Buffer.from(c.rec.theirLog, 'hex'))
}

/** Opens their log and, unless it was found rewritten, watches and reads it. */
export async function openTheirs(ctx: MessengerContext, c: Conversation, key: Buffer): Promise<void> {
  const core = await openPeerLog(ctx.corestore, key)
  c.theirs = core
  if (c.rec.logFault) return
  c.stopWatching = watchIntegrity(core, (kind, detail) => {
    ctx.security(c, kind, detail)
    if (kind === 'log-fork') ctx.guard(() => distrustLog(ctx, c, detail))
  })
  c.reader = new LogReader(
    core,
    c.rec.consumed,
    (blocks) => consume(ctx, c, blocks),
    (err) => ctx.security(c, 'log-invalid', `reading the contact's log stopped: ${errorText(err)}`)
  )
  if (c.peer) attachToPeer(core, c.peer.stream)
}

/**
 * A rewritten log is never read again: what was consumed stays, nothing more is accepted from it,
 * and it is no longer replicated. The user sees the security event and decides what to do.
 */
async function distrustLog(ctx: MessengerContext, c: Conversation, why: string): Promise<void> {
  if (c.rec.logFault) return
  await ctx.updateContact(c, () => ({ logFault: why }))
  await stopReading(c)
}

export async function closeConversation(c: Conversation): Promise<void> {
  await closeTheirs(c)
  await c.appending
  if (c.own) await c.own.close()
}

export async function closeTheirs(c: Conversation): Promise<void> {
  await stopReading(c)
  const theirs = c.theirs
  c.theirs = null
  if (theirs) await theirs.close()
}

async function stopReading(c: Conversation): Promise<void> {
  if (c.stopWatching) c.stopWatching()
  c.stopWatching = null
  const reader = c.reader
  c.reader = null
  if (reader) await reader.close()
}

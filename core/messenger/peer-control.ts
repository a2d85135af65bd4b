import { attachToPeer } from '../log'
import type { Peer } from '../net'
import type { ControlFrame } from '../net/frames'
import { decodeBundle } from '../ratchet'
import { errorText, type MessengerContext } from './context'
import type { Conversation } from './conversation'
import { closeTheirs, openTheirs } from './conversation-logs'
import { onReceipt, sendReadReceipt } from './receipts'
import { sealQueued } from './send'

/** Takes a contact's new connection: the control protocol runs over it from here on. */
export function onPeer(ctx: MessengerContext, peer: Peer): void {
  const c = ctx.conversations.get(peer.remoteKey.toString('hex'))
  if (!c || c.rec.blocked) return peer.close()
  if (c.peer && c.peer !== peer) c.peer.close()
  c.peer = peer
  peer.on('frame', (frame: ControlFrame) => ctx.guard(() => onFrame(ctx, c, peer, frame)))
  peer.on('close', () => {
    if (c.peer !== peer) return
    c.peer = null
    ctx.emitContact(c)
  })
  ctx.emitContact(c)
  ctx.guard(() => greet(ctx, c, peer))
}

/** Once my logs are open: replicate the pair's two cores over the connection and say hello. */
async function greet(ctx: MessengerContext, c: Conversation, peer: Peer): Promise<void> {
  await c.opened
  if (c.peer !== peer || peer.closed) return
  if (c.own) attachToPeer(c.own, peer.stream)
  if (c.theirs && !c.rec.logFault) attachToPeer(c.theirs, peer.stream)
  sendHello(ctx, c, peer)
  if (c.rec.requested) {
    ctx.network.cancelRequest(c.pk)
    await ctx.updateContact(c, () => ({ requested: false }))
  }
}

export function sendHello(ctx: MessengerContext, c: Conversation, peer: Peer): void {
  if (!c.own?.key) return
  peer.send({ type: 'hello', name: ctx.meta.name, logKey: c.own.key, bundle: ctx.myBundle() })
}

async function onFrame(ctx: MessengerContext, c: Conversation, peer: Peer, frame: ControlFrame): Promise<void> {
  if (c.peer !== peer) return
  switch (frame.type) {
    case 'hello':
      return onHello(ctx, c, frame)
    case 'receipt':
      return onReceipt(ctx, c, frame.kind, frame.upTo)
    case 'typing':
      return ctx.emitEvent({ type: 'typing', contact: c.id, typing: frame.typing })
    case 'prekeys':
      return onBundle(ctx, c, frame.bundle)
  }
}

async function onHello(ctx: MessengerContext, c: Conversation, frame: Extract<ControlFrame, { type: 'hello' }>): Promise<void> {
  await c.opened
  const logKey = frame.logKey.toString('hex')
  const bundle = frame.bundle ? verifiedBundle(ctx, c, frame.bundle) : null
  const known = isKnownLog(ctx, frame.logKey)
  if (c.rec.theirLog !== logKey && known) {
    ctx.security(c, 'protocol-violation', 'the contact announced a log that belongs to another conversation')
  }
  const adopt = c.rec.theirLog !== logKey && !known
  // Only their identity key opens this connection, so a new log is theirs: they restored their
  // identity from a backup on a new device, whose sessions and logs start afresh.
  const renewed = adopt && c.rec.theirLog !== null
  if (renewed) {
    ctx.security(c, 'log-renewed', 'the contact started a new log (restored from a backup?); their old one is no longer read')
    await closeTheirs(c)
    c.sessions.clear()
  }
  await ctx.updateContact(c, (r) => ({
    announcedName: frame.name,
    theirLog: adopt ? logKey : r.theirLog,
    bundle: bundle ?? r.bundle,
    ...(renewed ? { consumed: 0, readBlocks: 0, logFault: null, sessions: [] } : {})
  }))
  if (adopt && !c.theirs) await openTheirs(ctx, c, frame.logKey)
  // Receipts name blocks of the log their hello just named, never of one they no longer have.
  if (c.peer && c.rec.consumed > 0) c.peer.send({ type: 'receipt', kind: 'delivered', upTo: c.rec.consumed - 1 })
  sendReadReceipt(c)
  ctx.emitContact(c)
  await sealQueued(ctx, c)
}

async function onBundle(ctx: MessengerContext, c: Conversation, bundle: Buffer): Promise<void> {
  const verified = verifiedBundle(ctx, c, bundle)
  if (verified) await ctx.updateContact(c, () => ({ bundle: verified }))
  await sealQueued(ctx, c)
}

function verifiedBundle(ctx: MessengerContext, c: Conversation, bundle: Buffer): string | null {
  try {
    decodeBundle(bundle, c.pk)
    return bundle.toString('hex')
  } catch (err) {
    ctx.security(c, 'protocol-violation', `the contact's prekey bundle is invalid: ${errorText(err)}`)
    return null
  }
}

function isKnownLog(ctx: MessengerContext, key: Buffer): boolean {
  for (const other of ctx.conversations.values()) {
    if (other.own?.key?.equals(key)) return true
    if (other.rec.theirLog === key.toString('hex')) return true
  }
  return false
}

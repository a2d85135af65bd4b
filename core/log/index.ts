import type Corestore from 'corestore'
import type Hypercore from 'hypercore'

export { LogReader } from './reader'
export type { LogBlock, ReaderLimits } from './reader'
export { LogBudget, LOG_LIMITS, type LogLimits } from './budget'
export { watchIntegrity } from './integrity'
export type { IntegrityListener } from './integrity'

/**
 * My log for one contact: a core only I can write, named by the contact's tag so that neither its
 * name nor its content reveals who it is for. Its key pair derives from the profile's primary key.
 */
export async function openOwnLog(store: Corestore, contactTag: Buffer): Promise<Hypercore> {
  const core = store.get({ name: `out/${contactTag.toString('hex')}` })
  await core.ready()
  return core
}

/** The contact's log for me, known by the key they announced; written and signed by them alone. */
export async function openPeerLog(store: Corestore, key: Buffer): Promise<Hypercore> {
  const core = store.get({ key })
  await core.ready()
  return core
}

/**
 * Replicates exactly this core over a peer's connection (the Noise stream its Protomux rides on).
 * Cores are attached one by one, never the whole corestore, so a peer can only ever request the two
 * cores of its own conversation.
 */
export function attachToPeer(core: Hypercore, stream: unknown): void {
  core.replicate(stream)
}

import type Corestore from 'corestore'
import type { IdentityKeyPair, ContactKey } from '../identity'
import type { OneTimePrekey, SignedPrekey } from '../ratchet'
import type { Store } from '../store'
import type { Conversation } from './conversation'
import type { FilesConfig } from './conversation-files'
import type { EventSink } from './events'

/** What a conversation is given by the profile around it, and nothing more. */
export interface ConversationDeps {
  readonly store: Store
  readonly corestore: Corestore
  readonly identity: IdentityKeyPair
  readonly events: EventSink
  readonly files: FilesConfig
  /** My signed prekey of this id, while I keep it (an initial envelope names one). */
  prekey(id: number): SignedPrekey | null
  /** My one-time prekey of this id, until a session it started is committed. */
  oneTime(id: number): OneTimePrekey | null
  /** Sessions started from these one-time prekeys were committed (their records deleted in that write). */
  oneTimeUsed(ids: number[]): Promise<void>
  /** What my hello says: my name and my current prekey bundle. */
  me(): { name: string; bundle: Buffer }
  /** Whether a log key is already in use by some conversation, mine or theirs. */
  knownLog(key: Buffer): boolean
  /** Whether this conversation is still the one listed for its contact (a removed one stays quiet). */
  listed(c: Conversation): boolean
  /** My home node's key, which my contacts learn in our session; null without one. */
  homeBox(): Buffer | null
  /** The contact's log became known here: my home node is told to keep it now, not at its next resync. */
  logAdopted(): void
  /** The contact is connected: a request still out to them is answered. */
  met(key: ContactKey): void
  /** The time disappearing messages go by (tests move it). */
  now(): number
  /** Ends the store epoch, so that what was just deleted leaves the disk (see store/epochs). */
  erase(): Promise<void>
  /** The contact's log held group invitations or acceptances (kept under keys.groupSignal): act on them. */
  groupSignals(c: Conversation): Promise<void>
  /** Where a contact's call frames go, and who hears that a connection to them opened or closed. */
  calls: {
    receive(remote: Buffer, frame: Buffer): void
    connectionLost(remote: Buffer): void
    connected(remote: Buffer): void
  }
}

import { join } from 'node:path'
import Corestore from 'corestore'
import type Hypercore from 'hypercore'
import type { CairnHost } from '../../core/host/host'
import { decodeContactId, openKeystore } from '../../core/identity'
import { openOwnLog } from '../../core/log'
import type { Messenger } from '../../core/messenger'
import type { ContactRecord } from '../../core/messenger/records'
import { openProfileStore } from '../../core/messenger/profile-store'
import { keys } from '../../core/store'
import type { StoreEpochs } from '../../core/store/epochs'

/** A closed profile's corestore and store, opened as the messenger opens them (its epoch included). */
export async function openClosedProfile(profileDir: string, passphrase: string): Promise<{ corestore: Corestore; epochs: StoreEpochs; storageKey: Buffer }> {
  const secrets = await openKeystore(join(profileDir, 'keystore'), passphrase)
  const corestore = new Corestore(join(profileDir, 'cores'))
  await corestore.ready()
  const epochs = await openProfileStore(corestore, profileDir, secrets.storageKey, {
    onError: (err) => {
      throw err
    }
  })
  return { corestore, epochs, storageKey: secrets.storageKey }
}

/**
 * Opens a closed profile the way an attacker holding its secrets would, and lets fn rewrite the
 * log it writes for one contact (the profile's own signing key pair, so every block is validly
 * signed). The contact record's outgoing count follows the log, so the node keeps writing after it.
 */
export async function rewriteOwnLog(profileDir: string, passphrase: string, contactId: string, fn: (core: Hypercore) => Promise<void>): Promise<void> {
  const { corestore, epochs } = await openClosedProfile(profileDir, passphrase)
  try {
    const tag = epochs.store.tag(decodeContactId(contactId))
    const core = await openOwnLog(corestore, tag)
    await fn(core)
    await epochs.store.write(async (tx) => {
      const rec = (await tx.getJson<ContactRecord>(keys.contact(tag)))!
      tx.putJson(keys.contact(tag), { ...rec, outCount: core.length })
    })
    await core.close()
    await epochs.close()
  } finally {
    await corestore.close()
  }
}

/** The messenger a host has open (tests reach inside it to play a hostile or broken peer). */
export function messengerOf(host: CairnHost): Messenger {
  return (host as unknown as { messenger: Messenger }).messenger
}

/** The log an open messenger writes for a contact. */
export function ownLog(m: Messenger, contactId: string): Hypercore {
  const { directory } = m as unknown as { directory: { require(id: string): unknown } }
  return (directory.require(contactId) as { logs: { mine: Hypercore } }).logs.mine
}

/** The public key of the log an open profile writes for a contact. */
export function ownLogKey(host: CairnHost, contactId: string): Buffer {
  return ownLog(messengerOf(host), contactId).key!
}

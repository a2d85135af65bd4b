import { join } from 'node:path'
import Corestore from 'corestore'
import type Hypercore from 'hypercore'
import { decodeContactId, openKeystore } from '../../core/identity'
import { openOwnLog } from '../../core/log'
import type { ContactRecord } from '../../core/messenger/records'
import { corestorePrimaryKey, storeCipher } from '../../core/messenger/store-keys'
import { keys, Store } from '../../core/store'

/**
 * Opens a closed profile the way an attacker holding its secrets would, and lets fn rewrite the
 * log it writes for one contact (the profile's own signing key pair, so every block is validly
 * signed). The contact record's outgoing count follows the log, so the node keeps writing after it.
 */
export async function rewriteOwnLog(profileDir: string, passphrase: string, contactId: string, fn: (core: Hypercore) => Promise<void>): Promise<void> {
  const secrets = await openKeystore(join(profileDir, 'keystore'), passphrase)
  const corestore = new Corestore(join(profileDir, 'cores'), { primaryKey: corestorePrimaryKey(secrets.storageKey), unsafe: true })
  try {
    const cipher = storeCipher(secrets.storageKey)
    const tag = cipher.tag(decodeContactId(contactId))
    const core = await openOwnLog(corestore, tag)
    await fn(core)
    const store = new Store(corestore.get({ name: 'local' }), cipher)
    await store.ready()
    await store.write(async (tx) => {
      const rec = (await tx.getJson<ContactRecord>(keys.contact(tag)))!
      tx.putJson(keys.contact(tag), { ...rec, outCount: core.length })
    })
    await core.close()
    await store.close()
  } finally {
    await corestore.close()
  }
}

/** The public key of the log a profile writes for a contact, derived as the profile itself does. */
export async function ownLogKey(profileDir: string, passphrase: string, contactId: string, scratchDir: string): Promise<Buffer> {
  const secrets = await openKeystore(join(profileDir, 'keystore'), passphrase)
  const corestore = new Corestore(scratchDir, { primaryKey: corestorePrimaryKey(secrets.storageKey), unsafe: true })
  try {
    const core = await openOwnLog(corestore, storeCipher(secrets.storageKey).tag(decodeContactId(contactId)))
    const key = core.key!
    await core.close()
    return key
  } finally {
    await corestore.close()
  }
}

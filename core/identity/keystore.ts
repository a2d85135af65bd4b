import { readFile, stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import { CairnError } from '../api/errors'
import { BACKUP_PREFIX } from '../protocol/caps'
import { writeFileAtomic } from './atomic-file'
import { memzero } from '../crypto'
import { BACKUP_LIMITS, KEYSTORE_LIMITS, MAX_SEALED_BYTES, seal, unseal, type PwhashLimits } from './sealed'
import {
  decodeBackupPayload,
  decodeKeystorePayload,
  encodeBackupPayload,
  encodeKeystorePayload,
  type IdentitySecrets,
  type KeystoreSecrets
} from './secrets'

export type { IdentitySecrets, KeystoreSecrets } from './secrets'


async function sealPayload(payload: Buffer, passphrase: string, limits: PwhashLimits): Promise<Buffer> {
  try {
    return await seal(payload, passphrase, limits)
  } finally {
    memzero(payload)
  }
}

function sealKeystore(secrets: KeystoreSecrets, passphrase: string): Promise<Buffer> {
  return sealPayload(encodeKeystorePayload(secrets), passphrase, KEYSTORE_LIMITS)
}

async function readKeystore(file: string): Promise<Buffer> {
  try {
    const info = await stat(file)
    if (!info.isFile()) throw new CairnError('corrupt-profile', `${file} is not a regular file`)
    if (info.size > MAX_SEALED_BYTES) {
      throw new CairnError('corrupt-profile', `keystore too large: ${info.size} bytes, at most ${MAX_SEALED_BYTES} expected`)
    }
    return await readFile(file)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new CairnError('no-profile', `no keystore at ${file}`)
    throw err
  }
}

/** Seals the secrets under the passphrase into a new file (mode 0600); never overwrites one. */
export async function createKeystore(file: string, passphrase: string, secrets: KeystoreSecrets): Promise<void> {
  const sealed = await sealKeystore(secrets, passphrase)
  if (!(await writeFileAtomic(file, sealed, true))) {
    throw new CairnError('profile-exists', `a keystore already exists at ${file}`)
  }
}

export async function openKeystore(file: string, passphrase: string): Promise<KeystoreSecrets> {
  return decodeKeystorePayload(await unseal(await readKeystore(file), passphrase, 'corrupt-profile'))
}

// Changes to one file within this process run one after another, so a second change made with
// the passphrase the first one just replaced fails as a wrong passphrase instead of silently winning.
const pending = new Map<string, Promise<void>>()

/** Re-seals under `next`; the file is replaced atomically, so it is valid under one of the two at every instant. */
export async function changeKeystorePassphrase(file: string, current: string, next: string): Promise<void> {
  const key = resolve(file)
  const previous = pending.get(key) ?? Promise.resolve()
  const change = previous.then(async () => {
    const secrets = await openKeystore(file, current)
    await writeFileAtomic(file, await sealKeystore(secrets, next), false)
  })
  const settled = change.catch(() => {})
  pending.set(key, settled)
  void settled.then(() => {
    if (pending.get(key) === settled) pending.delete(key)
  })
  return change
}

/**
 * The identity (never the storage key) sealed under a separate backup passphrase with the stronger
 * backup limits, as one line of text.
 */
export async function exportBackup(secrets: IdentitySecrets, backupPassphrase: string): Promise<string> {
  const payload = encodeBackupPayload({ identity: secrets.identity, name: secrets.name })
  return BACKUP_PREFIX + (await sealPayload(payload, backupPassphrase, BACKUP_LIMITS)).toString('base64')
}

export async function importBackup(text: string, backupPassphrase: string): Promise<IdentitySecrets> {
  if (typeof text !== 'string') throw new CairnError('invalid-argument', 'a backup must be text')
  const trimmed = text.trim()
  if (!trimmed.startsWith(BACKUP_PREFIX)) {
    throw new CairnError('invalid-argument', `not a Cairn backup: it must start with "${BACKUP_PREFIX}"`)
  }
  const body = trimmed.slice(BACKUP_PREFIX.length)
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4 !== 0) {
    throw new CairnError('invalid-argument', 'the backup text is damaged: it is not valid base64')
  }
  return decodeBackupPayload(await unseal(Buffer.from(body, 'base64'), backupPassphrase, 'invalid-argument'))
}

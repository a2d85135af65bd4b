// What someone who copied a profile folder and later learned its passphrase can read from the copy:
// every file's raw bytes, and every store value that any key derivable from the copy opens, in
// every store core the copy still holds (current epoch, earlier epochs, epoch 0).
import { cp, readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import Corestore from 'corestore'
// @ts-expect-error hyperbee's wire messages have no types; read-only use in a test
import { Node } from 'hyperbee/lib/messages.js'
import { openKeystore } from '../../core/identity'
import { epochFileKey, storeCipher } from '../../core/messenger/store-keys'
import { readEpochFile } from '../../core/store/epoch-file'
import type { StoreCipher } from '../../core/store'

export interface ProfileDump {
  /** Every byte of every file, concatenated. */
  raw: Buffer
  /** Sealed store values as found in the cores' blocks. */
  sealed: Buffer[]
  /** The store values the passphrase opens, keyed by the store key (hex). */
  values: Array<{ key: Buffer; value: Buffer }>
  epoch: number
}

async function rawBytes(dir: string): Promise<Buffer> {
  const parts: Buffer[] = []
  for (const name of await readdir(dir, { recursive: true })) {
    const path = join(dir, name)
    if ((await stat(path)).isFile()) parts.push(await readFile(path))
  }
  return Buffer.concat(parts)
}

function tryOpen(ciphers: StoreCipher[], key: Buffer, sealed: Buffer): Buffer | null {
  for (const cipher of ciphers) {
    try {
      return cipher.open(sealed, key)
    } catch {
      // sealed under another epoch's key
    }
  }
  return null
}

/** Copies the (closed) profile folder to `copyDir` and reads the copy as an attacker with the passphrase would. */
export async function copyAndDump(profileDir: string, copyDir: string, passphrase: string): Promise<ProfileDump> {
  await cp(profileDir, copyDir, { recursive: true })
  const raw = await rawBytes(copyDir)
  const { storageKey } = await openKeystore(join(copyDir, 'keystore'), passphrase)
  const rec = await readEpochFile(join(copyDir, 'store-epoch'), epochFileKey(storageKey))
  const epoch = rec ? rec.epoch : 0
  const ciphers = [storeCipher(storageKey), ...(rec ? [storeCipher(storageKey, rec.key)] : [])]
  const corestore = new Corestore(join(copyDir, 'cores'), { allowBackup: true })
  const sealed: Buffer[] = []
  const values: ProfileDump['values'] = []
  try {
    for (let e = 0; e <= epoch + 1; e++) {
      const core = corestore.get({ name: e === 0 ? 'local' : `local/${e}` })
      await core.ready()
      for (let i = 1; i < core.length; i++) {
        if (!(await core.has(i))) continue
        const node = Node.decode(await core.get(i, { wait: false }))
        if (!node.value) continue
        const key = Buffer.from(node.key)
        const value = Buffer.from(node.value)
        sealed.push(value)
        const plain = tryOpen(ciphers, key, value)
        if (plain) values.push({ key, value: plain })
      }
      await core.close()
    }
  } finally {
    await corestore.close()
  }
  return { raw, sealed, values, epoch }
}

/** Whether any opened value contains the needle. */
export function holds(dump: ProfileDump, needle: Buffer): boolean {
  return dump.values.some(({ value }) => value.includes(needle)) || dump.raw.includes(needle)
}

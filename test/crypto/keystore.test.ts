import { spawn } from 'node:child_process'
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { CairnError } from '../../core/api/errors'
import type { ErrorCode } from '../../core/api/types'
import { cryptoReady, randomBytes } from '../../core/crypto'
import {
  changeKeystorePassphrase,
  createKeystore,
  encodeContactId,
  exportBackup,
  generateIdentity,
  importBackup,
  openKeystore,
  type IdentitySecrets,
  type KeystoreSecrets
} from '../../core/identity'
import { unseal } from '../../core/identity/sealed'

beforeAll(() => cryptoReady())

async function failure(promise: Promise<unknown>): Promise<CairnError> {
  try {
    await promise
  } catch (err) {
    expect(err).toBeInstanceOf(CairnError)
    return err as CairnError
  }
  throw new Error('expected a CairnError')
}

async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<string> {
  const err = await failure(promise)
  expect(err.code).toBe(code)
  return err.message
}

function sameIdentity(a: IdentitySecrets, b: IdentitySecrets): void {
  expect(a.identity.publicKey.equals(b.identity.publicKey)).toBe(true)
  expect(a.identity.secretKey.equals(b.identity.secretKey)).toBe(true)
  expect(a.name).toBe(b.name)
}

function sameSecrets(a: KeystoreSecrets, b: KeystoreSecrets): void {
  sameIdentity(a, b)
  expect(a.storageKey.equals(b.storageKey)).toBe(true)
}

/** The Argon2id limits written in a sealed blob's header (after the 7-byte magic and the version). */
function limitsOf(blob: Buffer): { opslimit: number; memlimit: number } {
  return { opslimit: blob.readUInt32LE(8), memlimit: blob.readUInt32LE(12) }
}

const backupBytes = (text: string) => Buffer.from(text.trim().slice('cairn-backup-v1:'.length), 'base64')

describe('keystore', () => {
  let dir: string
  let file: string
  const secrets: KeystoreSecrets = { identity: generateIdentity(), storageKey: randomBytes(32), name: 'Ada Lovelace ✓' }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-keystore-'))
    file = join(dir, 'identity.key')
  })
  afterEach(() => rm(dir, { recursive: true, force: true }))

  it('round-trips the secrets, writes mode 0600 and leaves no temp file', async () => {
    await createKeystore(file, 'correct horse', secrets)
    sameSecrets(await openKeystore(file, 'correct horse'), secrets)
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect(await readdir(dir)).toEqual(['identity.key'])
  })

  it('refuses to overwrite an existing keystore, leaving it byte-identical', async () => {
    await createKeystore(file, 'one', secrets)
    const before = await readFile(file)
    await expectCode(createKeystore(file, 'two', { ...secrets, name: 'other' }), 'profile-exists')
    expect((await readFile(file)).equals(before)).toBe(true)
    expect(await readdir(dir)).toEqual(['identity.key'])
  })

  it('a missing keystore is no-profile', async () => {
    await expectCode(openKeystore(file, 'x'), 'no-profile')
  })

  it('a wrong passphrase is a typed error and leaves the file byte-identical', async () => {
    await createKeystore(file, 'right', secrets)
    const before = await readFile(file)
    await expectCode(openKeystore(file, 'wrong'), 'wrong-passphrase')
    await expectCode(changeKeystorePassphrase(file, 'wrong', 'new'), 'wrong-passphrase')
    expect((await readFile(file)).equals(before)).toBe(true)
  })

  it('rejects an empty passphrase', async () => {
    await expectCode(createKeystore(file, '', secrets), 'invalid-argument')
  })

  it('reports corruption at every byte offset as corrupt-profile, never as a new identity', async () => {
    await createKeystore(file, 'pw', secrets)
    const original = await readFile(file)
    const messages = new Set<string>()
    for (let i = 0; i < original.byteLength; i++) {
      const bad = Buffer.from(original)
      bad[i] ^= 0x04
      await writeFile(file, bad)
      messages.add(await expectCode(openKeystore(file, 'pw'), 'corrupt-profile'))
    }
    expect([...messages].some((m) => /unknown file signature/.test(m))).toBe(true)
    expect([...messages].some((m) => /unsupported keystore version/.test(m))).toBe(true)
    expect([...messages].some((m) => /checksum mismatch/.test(m))).toBe(true)
  })

  it('reports every truncation and an oversized or empty file as corrupt-profile', async () => {
    await createKeystore(file, 'pw', secrets)
    const original = await readFile(file)
    for (let len = 0; len < original.byteLength; len++) {
      await writeFile(file, original.subarray(0, len))
      const message = await expectCode(openKeystore(file, 'pw'), 'corrupt-profile')
      if (len >= 8) expect(message).toMatch(/truncated|checksum/)
    }
    await writeFile(file, Buffer.concat([original, Buffer.alloc(100_000)]))
    expect(await expectCode(openKeystore(file, 'pw'), 'corrupt-profile')).toMatch(/too large/)
  })

  it('changes the passphrase atomically', async () => {
    await createKeystore(file, 'old', secrets)
    await changeKeystorePassphrase(file, 'old', 'new')
    await expectCode(openKeystore(file, 'old'), 'wrong-passphrase')
    sameSecrets(await openKeystore(file, 'new'), secrets)
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect(await readdir(dir)).toEqual(['identity.key'])
  })

  it('two concurrent passphrase changes leave a valid file under the one that won', async () => {
    await createKeystore(file, 'start', secrets)
    const results = await Promise.allSettled([
      changeKeystorePassphrase(file, 'start', 'first'),
      changeKeystorePassphrase(file, 'start', 'second')
    ])
    const won = results.findIndex((r) => r.status === 'fulfilled')
    expect(won).not.toBe(-1)
    const lost = results[1 - won]
    expect(lost.status).toBe('rejected')
    expect(((lost as PromiseRejectedResult).reason as CairnError).code).toBe('wrong-passphrase')
    const opened = await Promise.allSettled([openKeystore(file, 'first'), openKeystore(file, 'second')])
    const ok = opened.filter((r): r is PromiseFulfilledResult<KeystoreSecrets> => r.status === 'fulfilled')
    expect(ok).toHaveLength(1)
    expect(opened[won].status).toBe('fulfilled')
    sameSecrets(ok[0].value, secrets)
    expect(await readdir(dir)).toEqual(['identity.key'])
  })

  it('two concurrent creations leave exactly one keystore and report profile-exists to the other', async () => {
    const results = await Promise.allSettled([
      createKeystore(file, 'one', secrets),
      createKeystore(file, 'two', { ...secrets, name: 'other' })
    ])
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult
    expect((rejected.reason as CairnError).code).toBe('profile-exists')
    const winner = results[0].status === 'fulfilled' ? 'one' : 'two'
    expect((await openKeystore(file, winner)).name).toBe(winner === 'one' ? secrets.name : 'other')
    expect(await readdir(dir)).toEqual(['identity.key'])
  })

  it('successive passphrase changes chain', async () => {
    await createKeystore(file, 'a', secrets)
    await changeKeystorePassphrase(file, 'a', 'b')
    await changeKeystorePassphrase(file, 'b', 'c')
    sameSecrets(await openKeystore(file, 'c'), secrets)
  })

  it('two processes changing the passphrase at once leave a valid file under one of theirs', async () => {
    await createKeystore(file, 'start', secrets)
    const module = new URL('../../core/identity/index.ts', import.meta.url).href
    const change = (next: string) =>
      new Promise<number>((done, fail) => {
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', '--input-type=module', '-e',
            `import { changeKeystorePassphrase } from ${JSON.stringify(module)}
             await changeKeystorePassphrase(${JSON.stringify(file)}, 'start', ${JSON.stringify(next)})`],
          { stdio: 'ignore' }
        )
        child.on('error', fail)
        child.on('exit', (code) => done(code ?? -1))
      })
    const codes = await Promise.all([change('first'), change('second')])
    expect(codes).toContain(0)
    const opened = await Promise.allSettled([openKeystore(file, 'first'), openKeystore(file, 'second')])
    const ok = opened.filter((r): r is PromiseFulfilledResult<KeystoreSecrets> => r.status === 'fulfilled')
    expect(ok).toHaveLength(1)
    sameSecrets(ok[0].value, secrets)
    expect(await readdir(dir)).toEqual(['identity.key'])
  })

  it('exports and imports a backup under its own passphrase', async () => {
    const text = await exportBackup(secrets, 'backup pass')
    expect(text).toMatch(/^cairn-backup-v1:[A-Za-z0-9+/]+=*$/)
    sameIdentity(await importBackup(`\n${text}  \n`, 'backup pass'), secrets)
    await expectCode(importBackup(text, 'nope'), 'wrong-passphrase')
    expect(await expectCode(importBackup('hello', 'x'), 'invalid-argument')).toMatch(/not a Cairn backup/)
    expect(await expectCode(importBackup(text.slice(0, -8), 'backup pass'), 'invalid-argument')).toMatch(/damaged|truncated|base64/)
    expect(await expectCode(importBackup(text.replace(':', ':%'), 'backup pass'), 'invalid-argument')).toMatch(/base64/)
  })

  it('a backup holds the identity and nothing else: no storage key, in the text or once opened', async () => {
    const text = await exportBackup(secrets, 'backup pass')
    const restored = await importBackup(text, 'backup pass')
    expect(Object.keys(restored).sort()).toEqual(['identity', 'name'])
    const payload = await unseal(backupBytes(text), 'backup pass', 'invalid-argument')
    expect(payload.includes(secrets.storageKey)).toBe(false)
    expect(payload.includes(secrets.identity.secretKey.subarray(0, 32))).toBe(true)
  })

  it('backups use stronger Argon2id limits than the keystore (3 passes and 256 MiB against 2 and 64 MiB)', async () => {
    await createKeystore(file, 'correct horse', secrets)
    expect(limitsOf(await readFile(file))).toEqual({ opslimit: 2, memlimit: 64 * 1024 * 1024 })
    expect(limitsOf(backupBytes(await exportBackup(secrets, 'backup pass')))).toEqual({ opslimit: 3, memlimit: 256 * 1024 * 1024 })
  })

  it('a backup written by the first release still restores its identity, and its storage key is dropped', async () => {
    const text = await readFile(join(__dirname, '../fixtures/backup-v1.txt'), 'utf8')
    const expected = JSON.parse(await readFile(join(__dirname, '../fixtures/backup-v1.json'), 'utf8'))
    const restored = await importBackup(text, expected.passphrase)
    expect(encodeContactId(restored.identity.publicKey)).toBe(expected.id)
    expect(restored.name).toBe(expected.name)
    expect(Object.keys(restored).sort()).toEqual(['identity', 'name'])
  })

  it('refuses secrets that are not a consistent identity', async () => {
    const other = generateIdentity()
    await expectCode(
      createKeystore(file, 'pw', { ...secrets, identity: { publicKey: other.publicKey, secretKey: secrets.identity.secretKey } }),
      'invalid-argument'
    )
    await expectCode(createKeystore(file, 'pw', { ...secrets, storageKey: Buffer.alloc(5) }), 'invalid-argument')
    expect(await readdir(dir)).toEqual([])
  })
})

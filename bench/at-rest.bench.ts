// Costs of the at-rest promises: Argon2id for the keystore (interactive limits) against a backup
// (moderate limits), and the time one store epoch change takes (copy the live records under a new
// key, clear the old core, force a RocksDB compaction) for a store of N live records. Reference:
// libsodium's documentation puts interactive at well under a second and moderate around a second
// on a desktop; an epoch change should stay far below the time between two of them (24 h or 2,000 writes).
//
//   npx tsx bench/at-rest.bench.ts
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import Corestore from 'corestore'
import { argon2id, cryptoReady, randomBytes } from '../core/crypto'
import { BACKUP_LIMITS, KEYSTORE_LIMITS } from '../core/identity/sealed'
import { storeCipher } from '../core/messenger/store-keys'
import { keys } from '../core/store'
import { StoreEpochs } from '../core/store/epochs'

const TRIALS = 3

async function best(fn: () => Promise<void>): Promise<number> {
  let min = Infinity
  for (let i = 0; i < TRIALS; i++) {
    const t = performance.now()
    await fn()
    min = Math.min(min, performance.now() - t)
  }
  return min
}

async function epochChange(records: number): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-bench-epoch-'))
  const corestore = new Corestore(join(dir, 'cores'))
  const storageKey = randomBytes(32)
  const epochs = await StoreEpochs.open({
    corestore,
    file: join(dir, 'store-epoch'),
    fileKey: randomBytes(32),
    cipherFor: (k) => storeCipher(storageKey, k),
    policy: { maxBlocks: Number.MAX_SAFE_INTEGER, maxBytes: Number.MAX_SAFE_INTEGER, maxAgeMs: Number.MAX_SAFE_INTEGER },
    onError: (err) => console.error(err)
  })
  const tag = epochs.store.tag(randomBytes(32))
  for (let i = 0; i < records; i += 500) {
    await epochs.store.write((tx) => {
      for (let j = i; j < Math.min(records, i + 500); j++) tx.putJson(keys.message(tag, j), { text: 'x'.repeat(120), at: j })
    })
  }
  await epochs.idle()
  const ms = await best(() => epochs.advance())
  await epochs.close()
  await corestore.close()
  await rm(dir, { recursive: true, force: true })
  return ms
}

await cryptoReady()
const pw = Buffer.from('bench passphrase')
const interactive = await best(async () => void (await argon2id(32, pw, randomBytes(16), KEYSTORE_LIMITS.opslimit, KEYSTORE_LIMITS.memlimit)))
const moderate = await best(async () => void (await argon2id(32, pw, randomBytes(16), BACKUP_LIMITS.opslimit, BACKUP_LIMITS.memlimit)))
console.log(`Argon2id keystore (2 passes, 64 MiB):  ${interactive.toFixed(0)} ms   (reference: interactive, < 1 s)`)
console.log(`Argon2id backup   (3 passes, 256 MiB): ${moderate.toFixed(0)} ms   (reference: moderate, about 1 s)`)
for (const n of [1_000, 10_000]) {
  console.log(`store epoch change, ${n} live records: ${(await epochChange(n)).toFixed(0)} ms   (reference: the bound, 24 h or 2,000 writes)`)
}

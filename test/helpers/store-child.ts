// Writes a burst to a store in its own process and dies by SIGKILL the moment every write is
// acknowledged, before the store applies its journals (test/core/store.test.ts reopens the store).
import Corestore from 'corestore'
import { cryptoReady } from '../../core/crypto'
import { storeCipher } from '../../core/messenger/store-keys'
import { keys, Store } from '../../core/store'

const [dir, storageKey, tagSeed, count] = process.argv.slice(2)
await cryptoReady()
const store = new Store(new Corestore(dir).get({ name: 'local' }), storeCipher(Buffer.from(storageKey, 'hex')))
await store.ready()
const tag = store.tag(Buffer.from(tagSeed, 'hex'))
await Promise.all(Array.from({ length: Number(count) }, (_, i) => store.write((tx) => tx.putJson(keys.message(tag, i), { i }))))
process.kill(process.pid, 'SIGKILL')

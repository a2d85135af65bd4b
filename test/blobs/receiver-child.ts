// A receiver in its own process, so the resume test can kill it for real (SIGKILL, no cleanup).
// argv: corestore dir, sender port, descriptor hex, output dir, kill after N fetched blocks (0: never).
// Prints JSON lines: { stored } before starting, { fetched } per block received, { saved } at the end.
import { BlobStore, decodeDescriptor } from '../../core/blobs'
import { openCorestore, replicateTo } from '../helpers/blobs'

const [storeDir, port, descriptorHex, outDir, killAfter] = process.argv.slice(2)
const d = decodeDescriptor(Buffer.from(descriptorHex, 'hex'))
const cs = openCorestore(storeDir)
const store = await BlobStore.openPeer(cs, d.core)
const say = (msg: object): void => void process.stdout.write(JSON.stringify(msg) + '\n')

say({ stored: await store.chunksStored(d) })
let fetched = 0
store.core.on('download', (index) => {
  fetched++
  say({ fetched: index })
  if (Number(killAfter) > 0 && fetched >= Number(killAfter)) process.kill(process.pid, 'SIGKILL')
})
replicateTo(cs, Number(port))
const path = await store.save(d, outDir, { maxBytes: d.size })
say({ saved: path })
await cs.close()
process.exit(0)

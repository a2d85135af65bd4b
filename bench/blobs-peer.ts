// One side of a blobs benchmark step, in a process of its own so that its peak RSS is its own.
//   put  cairn|bare FILE STORE            seal+append (Cairn) or plain hyperblobs append of FILE
//   serve STORE                           replicate STORE to whoever connects; prints the port
//   get  cairn|bare STORE PORT ID OUTDIR  replicate from the server and write the file to OUTDIR
//   idle STORE                            open a store and close it: the baseline RSS
//   raw-serve FILE / raw-get PORT OUT     the physical reference: the file's bytes over plain loopback TCP
// Prints one JSON line: { seconds, maxRssMB, id? , port? }.
import Corestore from 'corestore'
import { createReadStream, createWriteStream } from 'node:fs'
import { once } from 'node:events'
import { connect, createServer } from 'node:net'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import Hyperblobs, { type BlobId } from 'hyperblobs'
import { BlobStore, decodeDescriptor, encodeDescriptor } from '../core/blobs'
import { replicateTo, serveReplication } from '../test/helpers/blobs'

const [op, ...args] = process.argv.slice(2)
const TAG = Buffer.alloc(32, 0xbe)
// Peak of what JavaScript holds (heap + buffers), sampled: separates this code's memory from the
// storage engine's, which RSS also counts.
let jsPeak = 0
setInterval(() => {
  const m = process.memoryUsage()
  jsPeak = Math.max(jsPeak, m.heapUsed + m.arrayBuffers)
}, 20).unref()
const say = (msg: object): void =>
  void process.stdout.write(JSON.stringify({ ...msg, maxRssMB: process.resourceUsage().maxRSS / 1024, jsPeakMB: jsPeak / 2 ** 20 }) + '\n')

async function put(kind: string, file: string, storeDir: string): Promise<void> {
  const cs = new Corestore(storeDir)
  const start = performance.now()
  let id: string
  if (kind === 'cairn') {
    const store = await BlobStore.openOwn(cs, TAG)
    id = encodeDescriptor(await store.putFile(file, { name: 'bench.bin' })).toString('hex')
  } else {
    const core = cs.get({ name: `blobs/${TAG.toString('hex')}` })
    await core.ready()
    const ws = new Hyperblobs(core).createWriteStream()
    await pipeline(createReadStream(file, { highWaterMark: 64 * 1024 }), ws)
    id = JSON.stringify({ key: core.key!.toString('hex'), blob: ws.id })
  }
  const seconds = (performance.now() - start) / 1000
  await cs.close()
  say({ seconds, id })
}

async function get(kind: string, storeDir: string, port: string, id: string, outDir: string): Promise<void> {
  const cs = new Corestore(storeDir)
  const start = performance.now()
  replicateTo(cs, Number(port))
  if (kind === 'cairn') {
    const d = decodeDescriptor(Buffer.from(id, 'hex'))
    const store = await BlobStore.openPeer(cs, d.core)
    await store.save(d, outDir, { maxBytes: d.size })
  } else {
    const { key, blob } = JSON.parse(id) as { key: string; blob: BlobId }
    const core = cs.get({ key: Buffer.from(key, 'hex') })
    await core.ready()
    const out = createWriteStream(join(outDir, 'bare.bin'))
    for await (const block of new Hyperblobs(core).createReadStream(blob)) {
      if (!out.write(block)) await once(out, 'drain')
    }
    out.end()
    await once(out, 'close')
  }
  const seconds = (performance.now() - start) / 1000
  say({ seconds })
  await cs.close()
}

async function serve(storeDir: string): Promise<void> {
  const cs = new Corestore(storeDir)
  await cs.ready()
  say({ port: (await serveReplication(cs)).port })
  process.stdin.resume()
  process.stdin.on('end', () => process.exit(0))
}

async function idle(storeDir: string): Promise<void> {
  const cs = new Corestore(storeDir)
  const store = await BlobStore.openOwn(cs, TAG)
  await store.close()
  await cs.close()
  say({})
}

async function rawServe(file: string): Promise<void> {
  const server = createServer((socket) => {
    createReadStream(file).pipe(socket)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  say({ port: (server.address() as { port: number }).port })
  process.stdin.resume()
  process.stdin.on('end', () => process.exit(0))
}

async function rawGet(port: string, outFile: string): Promise<void> {
  const start = performance.now()
  await pipeline(connect(Number(port), '127.0.0.1'), createWriteStream(outFile))
  say({ seconds: (performance.now() - start) / 1000 })
}

if (op === 'idle') await idle(args[0])
else if (op === 'raw-serve') await rawServe(args[0])
else if (op === 'raw-get') await rawGet(args[0], args[1])
else if (op === 'put') await put(args[0], args[1], args[2])
else if (op === 'get') await get(args[0], args[1], args[2], args[3], args[4])
else if (op === 'serve') await serve(args[0])
else throw new Error(`unknown op ${op}`)
if (op !== 'serve' && op !== 'raw-serve') process.exit(0)

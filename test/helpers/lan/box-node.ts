// A home node in a namespace for the scenario tests: a HomeBox on the folder in CAIRN_BOX (made on
// first start), listening on the DHT of CAIRN_BOOTSTRAP. Reports 'ready' with its key and a fresh
// pairing code, then each box event ('fetched', 'paired', 'refused', ...); 'stop' closes it.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { cryptoReady } from '../../../core/crypto'
import { createBoxKey, HomeBox, type BoxEvent } from '../../../core/home'
import { parseBootstrap } from '../../../core/profile/bootstrap'

const report = (r: Record<string, unknown>) => process.stdout.write(JSON.stringify(r) + '\n')
await cryptoReady()
const dir = process.env.CAIRN_BOX!
if (!existsSync(join(dir, 'box.key'))) await createBoxKey(dir)
const box = await HomeBox.open({ dir, bootstrap: parseBootstrap(process.env.CAIRN_BOOTSTRAP) ?? [] })
box.on('event', (e: BoxEvent) => report({ ...e, type: `box-${e.type}` }))
await box.listen()
report({ type: 'ready', box: box.publicKey.toString('hex'), code: await box.createPairingCode() })
createInterface({ input: process.stdin }).on('line', async (line) => {
  if ((JSON.parse(line) as { cmd: string }).cmd !== 'stop') return
  await box.close()
  report({ type: 'stopped' })
  process.exit(0)
})

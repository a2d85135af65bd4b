// Stands in for the internet DHT in the namespace tests: a HyperDHT testnet bound in its own
// namespace, reachable from the others only across the lab's bridge. Reports its bootstrap list.
import createTestnet from 'hyperdht/testnet.js'
import { createInterface } from 'node:readline'
import { lanAddress } from '../../core/lan/interfaces'

const testnet = await createTestnet(3, { host: lanAddress() })
process.stdout.write(JSON.stringify({ type: 'ready', bootstrap: testnet.bootstrap.map((b) => `${b.host}:${b.port}`).join(',') }) + '\n')
createInterface({ input: process.stdin }).on('line', async () => {
  await testnet.destroy()
  process.exit(0)
})

// Stands in for the internet DHT in the namespace tests: a HyperDHT testnet bound in its own
// namespace, reachable from the others only across the lab's bridge. Reports its bootstrap list.
import createTestnet from 'hyperdht/testnet.js'
import { createInterface } from 'node:readline'
import { lanAddress } from '../../../core/lan/interfaces'

// A node learns it is reachable (dht-rpc's firewall check) and classifies its NAT (HyperDHT wants
// three pings to distinct nodes) from the DHT nodes it knows. With three testnet nodes its table holds
// two: it stays firewalled with its NAT unknown, and the answering side gives up every holepunch. The
// real DHT has nodes enough; so does this stand-in.
const testnet = await createTestnet(6, { host: lanAddress() })
process.stdout.write(JSON.stringify({ type: 'ready', bootstrap: testnet.bootstrap.map((b) => `${b.host}:${b.port}`).join(',') }) + '\n')
createInterface({ input: process.stdin }).on('line', async () => {
  await testnet.destroy()
  process.exit(0)
})

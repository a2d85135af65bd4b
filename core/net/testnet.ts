// A HyperDHT testnet on loopback, for tests and benchmarks: nothing it does leaves 127.0.0.1.
import createTestnet from 'hyperdht/testnet.js'
import type HyperDHT from 'hyperdht'
import type { HostPort } from 'hyperdht'

export interface LocalTestnet {
  bootstrap: HostPort[]
  /** An extra DHT node on the testnet (for raw dials in tests); destroyed with the testnet. */
  createNode(): HyperDHT
  destroy(): Promise<void>
}

export async function createLocalTestnet(size = 3): Promise<LocalTestnet> {
  const testnet = await createTestnet(size, { host: '127.0.0.1' })
  return {
    bootstrap: testnet.bootstrap,
    createNode: () => testnet.createNode(),
    destroy: () => testnet.destroy()
  }
}

import HyperDHT, { type KeyPair } from 'hyperdht'
import { createSocket } from 'node:dgram'
import { CairnError } from '../api/errors'

export interface LocalDht {
  /** What the swarm runs on: an ephemeral, unfirewalled node that asks the storage nodes. */
  dht: HyperDHT
  /** This host's storage node: persistent, the endpoint discovery advertises. */
  storage: HyperDHT
  /** Adds a storage node another host advertised to both routing tables. */
  addNode(node: { host: string; port: number }): void
  destroy(): Promise<void>
}

const BIND_ATTEMPTS = 3

/**
 * A HyperDHT for the local link only, as two nodes per host. Both start with an empty bootstrap
 * list, so nothing beyond the nodes discovery hands them is ever dialled.
 *
 * Why two: announcements live on the persistent nodes closest to a topic, and a lookup asks other
 * nodes, never itself. With one node per host, two hosts alone would each hold only the other's
 * record and each ask only the other, so neither would ever find the other. A storage node that
 * the host's own swarm node also asks makes every record visible to every host, from two upwards.
 */
export async function createLocalDht(opts: { address: string; keyPair?: KeyPair }): Promise<LocalDht> {
  const storage = await createStorageNode(opts.address)
  const dht = new HyperDHT({
    bootstrap: [],
    nodes: [{ host: opts.address, port: storage.port }],
    host: opts.address,
    ephemeral: true,
    firewalled: false,
    keyPair: opts.keyPair
  })
  try {
    await dht.ready()
  } catch (err) {
    await Promise.allSettled([dht.destroy(), storage.destroy()])
    throw new CairnError('internal', `could not start the LAN DHT on ${opts.address}: ${messageOf(err)}`)
  }
  return {
    dht,
    storage,
    addNode(node) {
      storage.addNode(node)
      dht.addNode(node)
    },
    async destroy() {
      await Promise.allSettled([dht.destroy(), storage.destroy()])
    }
  }
}

async function createStorageNode(address: string): Promise<HyperDHT> {
  let lastError: unknown = null
  for (let attempt = 0; attempt < BIND_ATTEMPTS; attempt++) {
    const port = await freeUdpPort(address)
    // bootstrapper() is dht-rpc's way to declare the address others reach us at before anyone has told us.
    const node = HyperDHT.bootstrapper(port, address, { bootstrap: [], host: address })
    try {
      await node.ready()
      return node
    } catch (err) {
      lastError = err
      await node.destroy()
    }
  }
  throw new CairnError('internal', `could not start the LAN DHT on ${address}: ${messageOf(lastError)}`)
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

function freeUdpPort(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4')
    socket.once('error', reject)
    socket.bind(0, address, () => {
      const { port } = socket.address()
      socket.close(() => resolve(port))
    })
  })
}

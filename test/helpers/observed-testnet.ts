// A loopback testnet whose DHT nodes record every request they serve: what a DHT node near a topic
// sees of the nodes that announce and look it up.
import c from 'compact-encoding'
import createTestnet, { type Testnet } from 'hyperdht/testnet.js'
import type HyperDHT from 'hyperdht'
import type { HostPort } from 'hyperdht'
import messages from 'hyperdht/lib/messages.js'

const COMMANDS: Record<number, Seen['command']> = { 2: 'find-peer', 3: 'lookup', 4: 'announce', 5: 'unannounce' }

export interface Seen {
  command: 'find-peer' | 'lookup' | 'announce' | 'unannounce'
  target: Buffer
  /** The key an announce or unannounce is signed by; null for lookups. */
  announcer: Buffer | null
  /** The request's raw value, to search for key bytes. */
  value: Buffer | null
}

export interface ObservedTestnet {
  bootstrap: HostPort[]
  seen: Seen[]
  createNode(): HyperDHT
  destroy(): Promise<void>
}

interface DhtRequest {
  command: number
  target: Buffer | null
  value: Buffer | null
}

export async function createObservedTestnet(size = 6): Promise<ObservedTestnet> {
  const testnet: Testnet = await createTestnet(size, { host: '127.0.0.1' })
  const seen: Seen[] = []
  for (const node of testnet.nodes) {
    const served = node as unknown as { onrequest(req: DhtRequest): boolean }
    const original = served.onrequest.bind(node)
    served.onrequest = (req) => {
      const command = COMMANDS[req.command]
      if (command !== undefined && req.target !== null) {
        let announcer: Buffer | null = null
        if ((command === 'announce' || command === 'unannounce') && req.value !== null) {
          announcer = (c.decode(messages.announce, req.value) as { peer: { publicKey: Buffer } | null }).peer?.publicKey ?? null
        }
        seen.push({ command, target: Buffer.from(req.target), announcer, value: req.value === null ? null : Buffer.from(req.value) })
      }
      return original(req)
    }
  }
  return { bootstrap: testnet.bootstrap, seen, createNode: () => testnet.createNode(), destroy: () => testnet.destroy() }
}

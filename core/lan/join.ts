import type { Network } from '../net'
import { startLan, type Lan, type LanOptions } from './lan'

/**
 * Starts LAN discovery and runs a second swarm of the network on the LAN DHT (same key pair,
 * topics and firewall). Close the network before the Lan: the swarm lives on the Lan's DHT.
 */
export async function joinLan(network: Network, opts: LanOptions = {}): Promise<Lan> {
  const lan = await startLan(opts)
  try {
    await network.addDht(lan.dht, { lan: true, counter: lan })
  } catch (err) {
    await lan.close()
    throw err
  }
  return lan
}

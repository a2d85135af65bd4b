import type { NetworkMode } from '../api/types'

export interface NetworkStatusSummary {
  mode: NetworkMode
  peers: number
}

/** What discovery on the local link reports: how many other nodes it hears ('peers' when that changes). */
export interface NodeCounter {
  readonly nodes: number
  on(event: 'peers', listener: () => void): unknown
  off(event: 'peers', listener: () => void): unknown
}

/** One swarm as the status sees it: whether its DHT is up and, on a LAN, how many other nodes are heard. */
export interface SwarmState {
  online: boolean
  lan: boolean
  /** Null for a swarm whose DHT has no discovery counting its nodes. */
  nodes: number | null
}

/**
 * The network status, computed here and nowhere else. A LAN DHT always knows this host's own
 * storage node, so a reachable LAN alone does not mean another node is there: with no node heard
 * and no connection open, the node reaches no one. An open connection counts too, since discovery
 * can forget a node (a late advert) while its link lives.
 */
export function summarizeStatus(swarms: SwarmState[], peers: number): NetworkStatusSummary {
  let mode: NetworkMode = 'offline'
  for (const { online, lan } of swarms) {
    if (!online) continue
    if (!lan) mode = 'internet'
    else if (mode === 'offline') mode = 'lan'
  }
  const counted = swarms.filter((s) => s.lan && s.nodes !== null)
  const alone = mode === 'lan' && peers === 0 && counted.length > 0 && counted.every((s) => s.nodes === 0)
  return { mode: alone ? 'offline' : mode, peers }
}

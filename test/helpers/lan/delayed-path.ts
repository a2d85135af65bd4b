// Puts the delay relay (./delay-relay.ts) between every two hosts of a lab: an address for it on
// the bridge, a DNAT rule per pair of hosts that sends their unicast UDP to its catch ports, and the
// relay's process in the bridge namespace. Set it up before the hosts talk: conntrack keeps a flow
// that began without the rule off the relay for as long as the flow lives. Loss goes on top with
// dropUdp (datagrams now enter the bridge namespace instead of passing through it, so the drop
// rule sits on INPUT, before the relay).
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Lab, NodeProcess, Report } from './netns'

const RELAY_NODE = fileURLToPath(new URL('./relay-node.ts', import.meta.url))
const RELAY_ADDRESS = '10.99.0.254'
const FIRST_CATCH_PORT = 40_000
/** One catch port per flow from one host's socket to another's: a handful per pair of nodes here. */
const CATCH_PORTS = 32

export interface DelayedPath {
  /** The relay's hold times and counts since the last call. */
  stats(): Promise<Report>
  /** Drops this share of the datagrams between the hosts, both ways (iptables' statistic match). */
  dropUdp(probability: number): void
  /** The drop rule's counters, as iptables lists them. */
  dropped(): string
  stop(): Promise<void>
}

export async function delayBetweenHosts(lab: Lab, meanMs: number, spreadMs: number): Promise<DelayedPath> {
  const inBridge = (cmd: string, ...args: string[]) => execFileSync('ip', ['netns', 'exec', lab.bridgeNs, cmd, ...args], { encoding: 'utf8' })
  inBridge('ip', 'addr', 'add', `${RELAY_ADDRESS}/24`, 'dev', 'br0')
  const hosts = [...lab.hosts.values()]
  for (const from of hosts) {
    for (const to of hosts) {
      if (from === to) continue
      inBridge('iptables', '-t', 'nat', '-A', 'PREROUTING', '-p', 'udp', '-s', from.address, '-d', to.address,
        '-j', 'DNAT', '--to-destination', `${RELAY_ADDRESS}:${FIRST_CATCH_PORT}-${FIRST_CATCH_PORT + CATCH_PORTS - 1}`)
    }
  }
  const relay: NodeProcess = lab.spawnInBridge(RELAY_NODE, {
    RELAY_ADDRESS,
    RELAY_PORTS: `${FIRST_CATCH_PORT}+${CATCH_PORTS}`,
    RELAY_MEAN_MS: String(meanMs),
    RELAY_SPREAD_MS: String(spreadMs)
  })
  await relay.wait((r) => r.type === 'ready', 60_000, 'the relay ready')
  return {
    stats: () => {
      const before = relay.reports.length
      relay.send({ cmd: 'stats' })
      return relay.wait((r) => r.type === 'stats' && relay.reports.indexOf(r) >= before, 30_000, 'relay stats')
    },
    dropUdp: (probability) => {
      inBridge('iptables', '-A', 'INPUT', '-p', 'udp', '-d', RELAY_ADDRESS, '-m', 'statistic', '--mode', 'random', '--probability', String(probability), '-j', 'DROP')
    },
    dropped: () => inBridge('iptables', '-L', 'INPUT', '-v', '-x', '-n').trim().split('\n').at(-1) ?? '',
    stop: () => relay.stop(10_000)
  }
}

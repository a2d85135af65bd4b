// A HyperDHT server announces its key on the DHT nodes nearest to it (its relays) and then pings
// every one of them each 3 s, so that handshakes can be relayed to it, re-announcing every ~5 min.
// A node has one such server per contact (each pair swarm listens under its own key pair), so 1,000
// contacts meant 3,000 relay pings every 3 s: ten times what dht-rpc's congestion window lets out
// (80 requests per 750 ms), so every lookup of the node queued behind them and the CPU never rested.
//
// The pings keep this node's NAT open towards each relay, so the relay can pass a handshake on, and
// notice a relay gone. So all the servers of one DHT not quiet share a budget of KEEPALIVE_PINGS_PER_S:
// a few contacts' servers ping at HyperDHT's pace, 1,000 contacts' every ~100 s (within the UDP
// timeout of most NATs, not all), and re-announce every REANNOUNCE_MS (an announcement lives 20 min
// on a DHT node). A quiet server (its pair is connected, so nobody else may dial it, and the pair's
// next connection comes from a lookup of its topic) never pings.
// (Not pinging at all unless firewalled was tried: on a loopback testnet a new day's topic announce
// then often took over 15 s, test/net/privacy.test.ts; why was not found.)
//
// HyperDHT 6.32.0 offers no public switch for this (suspend() also refuses handshakes). The hook is
// the announcer's private sleeper, the one wait of its ping loop; test/net/relay-pings.test.ts
// pins that assumption, so an upgrade that moves it fails there.
import type HyperDHT from 'hyperdht'
import type { AnnouncerInternals, Server } from 'hyperdht'

// Under the 20 min a DHT node keeps an announcement (at most 1.25 times this), as often as HyperDHT itself re-announces.
const REANNOUNCE_MS = 5 * 60_000
// HyperDHT's own wait between ping rounds, and the relays it announces to.
const PING_ROUND_MS = 3_000
const RELAYS = 3
const KEEPALIVE_PINGS_PER_S = 30
const TIMER_SLACK_MS = 20

export interface RelayPings {
  /** true: stop pinging the relays (re-announce now and then); false: ping as needed, at once. */
  quiet(on: boolean): void
}

export interface RelayPingOptions {
  reannounceMs?: number
}

// Per DHT, its servers not quiet: they share the keep-alive budget.
const loudServers = new WeakMap<HyperDHT, number>()

/** dht: the DHT the server runs on (the shared one, not a pair swarm's view of it). */
export function relayPings(server: Server, dht: HyperDHT, opts: RelayPingOptions = {}): RelayPings {
  const reannounceMs = opts.reannounceMs ?? REANNOUNCE_MS
  let quiet = false
  let hooked: AnnouncerInternals | null = null
  // Each server's re-announces ±25 % around reannounceMs, so that 1,000 servers that listened within
  // the same half-minute do not re-announce together every five minutes.
  const nextAnnounce = () => Date.now() + reannounceMs * (0.75 + Math.random() / 2)
  let announceAt = nextAnnounce()
  const loud = (delta: number) => loudServers.set(dht, (loudServers.get(dht) ?? 0) + delta)
  const roundMs = () => {
    if (quiet) return Infinity
    return Math.max(PING_ROUND_MS, ((loudServers.get(dht) ?? 1) * RELAYS * 1000) / KEEPALIVE_PINGS_PER_S)
  }
  const hook = () => {
    const announcer = server._announcer
    if (announcer === null || announcer === hooked) return
    hooked = announcer
    announceAt = nextAnnounce()
    const sleeper = announcer._sleeper
    const pause = sleeper.pause.bind(sleeper)
    sleeper.pause = (ms) => {
      const wait = roundMs()
      if (wait <= ms) return pause(ms)
      return pause(Math.min(wait, Math.max(0, announceAt - Date.now()))).then(() => {
        // A keep-alive round: announce again only once it is time (a timer may fire a millisecond
        // before Date.now() says so). Woken by quiet(false) into HyperDHT's own pace: it re-announces itself.
        if (roundMs() <= PING_ROUND_MS || Date.now() + TIMER_SLACK_MS < announceAt) return
        announceAt = nextAnnounce()
        announcer.refresh()
      })
    }
  }
  loud(1)
  server.on('listening', hook)
  server.once('close', () => {
    if (!quiet) loud(-1)
  })
  hook()
  return {
    quiet(on) {
      if (on === quiet || server.closed) return
      quiet = on
      loud(on ? -1 : 1)
      hook()
      if (!on) hooked?._sleeper.resume()
    }
  }
}

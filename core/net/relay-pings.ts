// A HyperDHT server announces its key on the DHT nodes nearest to it (its relays) and then pings
// every one of them each 3 s, so that handshakes can be relayed to it, re-announcing every ~5 min.
// A node has one such server per contact (each pair swarm listens under its own key pair), so 1,000
// contacts meant ~1,000 relay pings a second. While a pair is connected nobody else may dial that
// server, and the pair's own next connection comes from a lookup of its topic, which names the
// relays of the last announce: only the announce needs to stay fresh (DHT nodes keep it 20 min).
// A quiet server therefore parks its ping loop, and only re-announces every REANNOUNCE_MS.
//
// HyperDHT 6.32.0 offers no public switch for this (suspend() also refuses handshakes). The hook is
// the announcer's private sleeper, the one wait of its ping loop; test/net/relay-pings.test.ts
// pins that assumption, so an upgrade that moves it fails there.
import type { AnnouncerInternals, Server } from 'hyperdht'

// Under the 20 min a DHT node keeps an announcement, as often as HyperDHT itself re-announces.
const REANNOUNCE_MS = 5 * 60_000

export interface RelayPings {
  /** true: stop pinging the relays (re-announce now and then); false: ping again at once. */
  quiet(on: boolean): void
}

export function relayPings(server: Server, reannounceMs = REANNOUNCE_MS): RelayPings {
  let quiet = false
  let hooked: AnnouncerInternals | null = null
  const hook = () => {
    const announcer = server._announcer
    if (announcer === null || announcer === hooked) return
    hooked = announcer
    const sleeper = announcer._sleeper
    const pause = sleeper.pause.bind(sleeper)
    sleeper.pause = (ms) => {
      if (!quiet) return pause(ms)
      return pause(reannounceMs).then(() => {
        // Still quiet when the wait ran out (not woken by quiet(false)): announce again, then wait again.
        if (quiet) announcer.refresh()
      })
    }
  }
  server.on('listening', hook)
  hook()
  return {
    quiet(on) {
      if (on === quiet) return
      quiet = on
      hook()
      if (!on) hooked?._sleeper.resume()
    }
  }
}

// Instruments one host's LAN parts for the scale lab (CAIRN_PROBE_MS): every interval it reports what
// its LAN DHT and discovery did since the last report, so a run can tell why a host connected late
// (a storm of lookups, a DHT that took itself for offline, adverts missed, an event loop held up).
// Reads private fields of the running messenger: a test helper's licence, not an API.
import { monitorEventLoopDelay } from 'node:perf_hooks'
import type HyperDHT from 'hyperdht'

type Counts = Record<string, number>

// hyperdht's command numbers (lib/constants.js) for the queries worth telling apart.
const COMMAND_NAMES: Record<number, string> = { 2: 'findPeer', 3: 'lookup', 4: 'announce', 5: 'unannounce' }

interface Probed {
  dht: HyperDHT
  storage: HyperDHT
  nodes(): number
  mdns: { on(event: string, listener: (...args: unknown[]) => void): unknown; send: (...args: unknown[]) => unknown }
}

function lanOf(host: unknown): Probed | null {
  const lan = (host as { messenger?: { lan?: { lan?: unknown } } }).messenger?.lan?.lan as
    | { local: { dht: HyperDHT; storage: HyperDHT }; discovery: { endpoints: unknown[]; mdns: Probed['mdns'] } }
    | null
    | undefined
  if (!lan) return null
  return { dht: lan.local.dht, storage: lan.local.storage, nodes: () => lan.discovery.endpoints.length, mdns: lan.discovery.mdns }
}

export function startProbe(host: unknown, intervalMs: number, report: (r: Record<string, unknown>) => void): void {
  const probed = lanOf(host)
  if (probed === null) {
    report({ type: 'probe-error', message: 'no LAN on this host' })
    return
  }
  const { dht, storage, mdns } = probed
  const counts: Counts = {}
  const bump = (key: string, by = 1) => (counts[key] = (counts[key] ?? 0) + by)
  const queried = dht as unknown as { query: (...args: unknown[]) => unknown }
  const query = queried.query.bind(dht)
  queried.query = (q: unknown, ...rest: unknown[]) => {
    const command = (q as { command?: number }).command ?? -1
    bump(`q.${COMMAND_NAMES[command] ?? command}`)
    return query(q, ...rest)
  }
  for (const event of ['network-change', 'network-update', 'wakeup', 'ephemeral', 'persistent']) {
    dht.on(event, () => bump(`dht.${event}`))
    storage.on(event, () => bump(`storage.${event}`))
  }
  const send = mdns.send.bind(mdns)
  mdns.send = (...args: unknown[]) => {
    bump('mdns.sent')
    return send(...args)
  }
  mdns.on('query', () => bump('mdns.query'))
  mdns.on('response', () => bump('mdns.response'))
  const delay = monitorEventLoopDelay({ resolution: 20 })
  delay.enable()
  const requests = () => (dht.stats as unknown as { requests: { total: number; responses: number; timeouts: number } }).requests
  let last = { ...requests() }
  const storageIn = () => (storage as unknown as { io: { stats: { requests: { total: number } } } }).io?.stats?.requests?.total ?? 0
  const timer = setInterval(() => {
    const now = requests()
    const health = (dht as unknown as { health?: { stats: Record<string, unknown> } }).health?.stats
    report({
      type: 'probe',
      at: Date.now(),
      nodes: probed.nodes(),
      online: dht.online,
      degraded: (dht as unknown as { degraded: boolean }).degraded,
      table: (dht as unknown as { table: { size: number } }).table.size,
      storageTable: (storage as unknown as { table: { size: number } }).table.size,
      requests: now.total - last.total,
      responses: now.responses - last.responses,
      timeouts: now.timeouts - last.timeouts,
      inflight: (dht as unknown as { io: { inflight: unknown[] } }).io.inflight.length,
      health,
      storageRequests: storageIn(),
      lagMaxMs: Math.round(delay.max / 1e6),
      lagP99Ms: Math.round(delay.percentile(99) / 1e6),
      ...counts
    })
    last = { ...now }
    for (const key of Object.keys(counts)) delete counts[key]
    delay.reset()
  }, intervalMs)
  timer.unref()
}

// A user-space UDP relay that delays every datagram between the hosts of a namespace LAN by a path's
// delay with jitter (./path-delay.ts), for a kernel with no netem. It runs in the bridge namespace,
// transparently: the hosts keep addressing each other directly (they learn each other's addresses
// from mDNS and the LAN DHT, which must not change), and iptables moves their unicast UDP through
// it (./delayed-path.ts sets the rules up):
// - a DNAT rule sends each new flow from one host to another to one of the relay's catch ports; the
//   relay reads the flow's original destination from conntrack (/proc/net/nf_conntrack: the entry
//   whose reply comes from that catch port to the sender) and sends the datagram on, after the delay;
// - it reaches the destination from the catch port where the destination's own datagrams to the
//   sender arrive (conntrack's reply direction of that flow puts the sender's address back as the
//   source), or, until the destination has sent any, from a socket of its own whose source an SNAT
//   rule rewrites to the sender's address and port; the destination's answers then come back to it.
// So each host sees the other's own address and port on every datagram, and multicast (mDNS) stays
// on the bridge undelayed. The relay's own timers add a little on a loaded machine: the hold times
// it measured are in stats().
import { execFile } from 'node:child_process'
import { createSocket, type Socket } from 'node:dgram'
import { readFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { PathDelay } from './path-delay'

const run = promisify(execFile)

export interface DelayRelayOptions {
  /** The relay's address on the bridge (the DNAT target). */
  address: string
  catchPorts: number[]
  meanMs: number
  spreadMs: number
}

interface Endpoint {
  host: string
  port: number
}

const key = (e: Endpoint): string => `${e.host}:${e.port}`

/** Two endpoints that talk; for each, the socket through which the other reaches it (or the datagrams waiting for one). */
class Flow {
  readonly out = new Map<string, Socket>()
  readonly waiting = new Map<string, Buffer[]>()
  constructor(
    readonly a: Endpoint,
    readonly b: Endpoint
  ) {}
  other(e: Endpoint): Endpoint {
    return key(e) === key(this.a) ? this.b : this.a
  }
}

interface Conntrack {
  orig: { src: Endpoint; dst: Endpoint }
  reply: { src: Endpoint; dst: Endpoint }
}

/** The conntrack table of this namespace: each entry's original and reply directions. */
function conntrack(): Conntrack[] {
  const out: Conntrack[] = []
  for (const line of readFileSync('/proc/net/nf_conntrack', 'utf8').split('\n')) {
    if (!line.includes(' udp ')) continue
    const v = (name: string) => [...line.matchAll(new RegExp(`\\b${name}=(\\S+)`, 'g'))].map((m) => m[1])
    const [src, dst, sport, dport] = [v('src'), v('dst'), v('sport').map(Number), v('dport').map(Number)]
    if (src.length < 2) continue
    out.push({
      orig: { src: { host: src[0], port: sport[0] }, dst: { host: dst[0], port: dport[0] } },
      reply: { src: { host: src[1], port: sport[1] }, dst: { host: dst[1], port: dport[1] } }
    })
  }
  return out
}

export interface RelayStats {
  datagrams: number
  flows: number
  /** How long datagrams were held, ms (the relay's timers included): p5, p50, p95, max. */
  heldMs: { p5: number; p50: number; p95: number; max: number }
}

export class DelayRelay {
  private readonly catchers = new Map<number, Socket>()
  private readonly own: Socket[] = []
  private readonly flows = new Map<string, Flow>()
  /** catch port + sender → its flow, so conntrack is read once per flow. */
  private readonly routes = new Map<string, Flow>()
  /** Per destination host: its path's delay, and datagrams held in the order they leave. */
  private readonly paths = new Map<string, { delay: PathDelay; queue: { due: number; arrived: number; go: () => void }[]; timer: NodeJS.Timeout | null }>()
  private held: number[] = []
  private datagrams = 0

  private constructor(private readonly o: DelayRelayOptions) {}

  static async start(o: DelayRelayOptions): Promise<DelayRelay> {
    const relay = new DelayRelay(o)
    for (const port of o.catchPorts) {
      const socket = createSocket('udp4')
      await new Promise<void>((resolve) => socket.bind(port, o.address, resolve))
      socket.on('message', (bytes, from) => relay.caught(port, socket, bytes, { host: from.address, port: from.port }))
      relay.catchers.set(port, socket)
    }
    return relay
  }

  stats(): RelayStats {
    const sorted = [...this.held].sort((x, y) => x - y)
    const q = (p: number) => Math.round((sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0) * 10) / 10
    this.held = []
    return { datagrams: this.datagrams, flows: this.flows.size, heldMs: { p5: q(0.05), p50: q(0.5), p95: q(0.95), max: q(1) } }
  }

  close(): void {
    for (const socket of [...this.catchers.values(), ...this.own]) socket.close()
    for (const path of this.paths.values()) if (path.timer) clearTimeout(path.timer)
  }

  private caught(port: number, socket: Socket, bytes: Buffer, from: Endpoint): void {
    const route = `${port}/${key(from)}`
    let flow = this.routes.get(route)
    if (flow === undefined) {
      const entry = conntrack().find((e) => key(e.reply.src) === `${this.o.address}:${port}` && key(e.reply.dst) === key(from))
      if (entry === undefined) return
      flow = this.flow(from, entry.orig.dst)
      this.routes.set(route, flow)
    }
    // datagrams to the sender leave from here: conntrack turns their source into the one it wrote to
    if (!flow.out.has(key(from))) flow.out.set(key(from), socket)
    this.hold(flow, flow.other(from), bytes)
  }

  private flow(x: Endpoint, y: Endpoint): Flow {
    const id = [key(x), key(y)].sort().join('|')
    let flow = this.flows.get(id)
    if (flow === undefined) {
      flow = new Flow(x, y)
      this.flows.set(id, flow)
    }
    return flow
  }

  private hold(flow: Flow, to: Endpoint, bytes: Buffer): void {
    this.datagrams++
    let path = this.paths.get(to.host)
    if (path === undefined) {
      path = { delay: new PathDelay(this.o.meanMs, this.o.spreadMs), queue: [], timer: null }
      this.paths.set(to.host, path)
    }
    const now = performance.now()
    const due = Math.max(now + path.delay.at(now), path.queue.at(-1)?.due ?? 0)
    path.queue.push({ due, arrived: now, go: () => this.send(flow, to, bytes) })
    if (path.timer === null) this.wake(path)
  }

  private wake(path: { queue: { due: number; arrived: number; go: () => void }[]; timer: NodeJS.Timeout | null }): void {
    const now = performance.now()
    while (path.queue.length > 0 && path.queue[0].due <= now) {
      const d = path.queue.shift()!
      this.held.push(now - d.arrived)
      d.go()
    }
    path.timer = path.queue.length === 0 ? null : setTimeout(() => this.wake(path), path.queue[0].due - now)
  }

  private send(flow: Flow, to: Endpoint, bytes: Buffer): void {
    const socket = flow.out.get(key(to))
    if (socket !== undefined) return socket.send(bytes, to.port, to.host)
    const waiting = flow.waiting.get(key(to))
    if (waiting !== undefined) return void waiting.push(bytes)
    flow.waiting.set(key(to), [bytes])
    void this.openToward(flow, to)
  }

  /** A socket from which `to` receives datagrams that appear to come from the other end of the flow. */
  private async openToward(flow: Flow, to: Endpoint): Promise<void> {
    const as = flow.other(to)
    // `to` may have sent to the other end already, through a catch port whose datagram is still on
    // its way here: an SNAT flow would then clash with that one in conntrack, so take its port
    const caught = conntrack().find((e) => key(e.orig.src) === key(to) && key(e.orig.dst) === key(as) && e.reply.src.host === this.o.address)
    const catcher = caught && this.catchers.get(caught.reply.src.port)
    if (catcher) flow.out.set(key(to), catcher)
    else await this.snat(flow, to, as)
    const socket = flow.out.get(key(to))!
    for (const bytes of flow.waiting.get(key(to)) ?? []) socket.send(bytes, to.port, to.host)
    flow.waiting.delete(key(to))
  }

  private async snat(flow: Flow, to: Endpoint, as: Endpoint): Promise<void> {
    const socket = createSocket('udp4')
    this.own.push(socket)
    await new Promise<void>((resolve) => socket.bind(0, this.o.address, resolve))
    // the answers come back to this socket: conntrack undoes the SNAT on them
    socket.on('message', (bytes, from) => {
      if (from.address === to.host && from.port === to.port) this.hold(flow, as, bytes)
    })
    await run('iptables', [
      '-t', 'nat', '-A', 'POSTROUTING', '-p', 'udp', '-s', this.o.address, '--sport', String(socket.address().port),
      '-d', to.host, '--dport', String(to.port), '-j', 'SNAT', '--to-source', key(as)
    ])
    // a datagram from `to` reached a catch port meanwhile: that one's path wins, this socket idles
    if (!flow.out.has(key(to))) flow.out.set(key(to), socket)
  }
}

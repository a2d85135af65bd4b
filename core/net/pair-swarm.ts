// A contact's Hyperswarm on one DHT for one day, under that side's pair key pair. Hyperswarm takes one
// key pair per instance, so each pair gets its own, all sharing the node's DHT: the view below lets a
// pair swarm be destroyed without destroying that DHT, and takes back the listeners it added to it.
import Hyperswarm from 'hyperswarm'
import type HyperDHT from 'hyperdht'
import type { KeyPair, NoiseSecretStream } from 'hyperdht'

// One connection per pair is all a pair swarm ever keeps; a few more let a reconnect overlap the old.
const MAX_PAIR_PEERS = 4

type Listener = (...args: unknown[]) => void

function sharedView(dht: HyperDHT): { view: HyperDHT; release(): void } {
  const added: [string | symbol, Listener][] = []
  const view: HyperDHT = new Proxy(dht, {
    get(target, prop) {
      if (prop === 'destroy') return async () => {}
      if (prop === 'on' || prop === 'addListener') {
        return (event: string | symbol, listener: Listener) => {
          added.push([event, listener])
          target.on(event, listener)
          return view
        }
      }
      const value: unknown = Reflect.get(target, prop, target)
      return typeof value === 'function' ? value.bind(target) : value
    }
  })
  return { view, release: () => added.splice(0).forEach(([event, listener]) => dht.off(event, listener)) }
}

export interface PairSwarmOptions {
  dht: HyperDHT
  keyPair: KeyPair
  /** Asked at every handshake, both ways: true lets the remote key in. */
  admits(remoteKey: Buffer): boolean
  onConnection(stream: NoiseSecretStream): void
}

export class PairSwarm {
  readonly swarm: Hyperswarm
  private readonly release: () => void
  private retired = false
  private closing: Promise<void> | null = null

  constructor(opts: PairSwarmOptions) {
    const { view, release } = sharedView(opts.dht)
    this.release = release
    this.swarm = new Hyperswarm({ keyPair: opts.keyPair, dht: view, maxPeers: MAX_PAIR_PEERS, firewall: (key) => !opts.admits(key) })
    this.swarm.on('connection', (stream) => {
      stream.on('close', () => {
        if (this.retired && this.swarm.connections.size === 0) this.close().catch(() => {})
      })
      opts.onConnection(stream)
    })
    // Refusals are the firewall's to decide at each handshake; Hyperswarm would remember them for ever.
    this.swarm.on('ban', (info) => {
      info.ban(false)
      this.swarm.peers.delete(info.publicKey.toString('hex'))
    })
  }

  /** The day is over: stop announcing and looking; the open connection, if any, lives on until it ends. */
  retire(): void {
    this.retired = true
    if (this.swarm.connections.size === 0) {
      this.close().catch(() => {})
      return
    }
    this.swarm.clear().catch(() => {})
    this.swarm.server.close().catch(() => {})
  }

  close(): Promise<void> {
    if (this.closing === null) this.closing = this.shutdown()
    return this.closing
  }

  private async shutdown(): Promise<void> {
    await this.swarm.destroy()
    for (const stream of this.swarm.connections) stream.destroy()
    this.release()
  }
}

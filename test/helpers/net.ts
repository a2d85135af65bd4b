import HyperDHT from 'hyperdht'
import type { KeyPair } from 'hyperdht'
import { Network, type Peer, type PeerClass, type NetworkOptions } from '../../core/net'
import { createLocalTestnet, type LocalTestnet } from '../../core/net/testnet'

/** A node under test: its network plus the class table its classify() reads. */
export interface TestNode {
  keyPair: KeyPair
  net: Network
  classes: Map<string, PeerClass>
  logs: string[]
  setClass(publicKey: Buffer, cls: PeerClass): void
}

export function keyPair(): KeyPair {
  return HyperDHT.keyPair()
}

export class Harness {
  testnet: LocalTestnet | null = null
  private readonly nodes: Network[] = []

  async start(): Promise<void> {
    this.testnet = await createLocalTestnet(3)
  }

  get bootstrap(): { host: string; port: number }[] {
    if (this.testnet === null) throw new Error('testnet not started')
    return this.testnet.bootstrap
  }

  async node(opts: Partial<NetworkOptions> = {}, kp = keyPair()): Promise<TestNode> {
    const classes = new Map<string, PeerClass>()
    const logs: string[] = []
    const net = new Network({
      keyPair: kp,
      bootstrap: this.bootstrap,
      classify: (remote) => classes.get(remote.toString('hex')) ?? 'unknown',
      retry: { initialMs: 200, maxMs: 2_000 },
      log: (message) => logs.push(message),
      ...opts
    })
    this.nodes.push(net)
    await net.ready()
    return {
      keyPair: kp,
      net,
      classes,
      logs,
      setClass: (publicKey, cls) => classes.set(publicKey.toString('hex'), cls)
    }
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.nodes.splice(0).map((net) => net.close()))
    await this.testnet?.destroy()
    this.testnet = null
  }
}

/** Polls until the condition holds; throws with the label after the deadline. */
export async function until(condition: () => boolean, label: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** Watches for the condition for the whole window and throws with the label if it ever holds. */
export async function never(condition: () => boolean, label: string, windowMs: number): Promise<void> {
  const end = Date.now() + windowMs
  while (Date.now() < end) {
    if (condition()) throw new Error(`unexpected: ${label}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  if (condition()) throw new Error(`unexpected: ${label}`)
}

/** Makes a and b contacts of each other. */
export function befriend(a: TestNode, b: TestNode): void {
  a.setClass(b.keyPair.publicKey, 'contact')
  b.setClass(a.keyPair.publicKey, 'contact')
}

export function nextPeer(net: Network): Promise<Peer> {
  return new Promise((resolve) => net.once('peer', resolve))
}

/** Makes a and b contacts of each other and adds each to the other's network at the same instant; resolves with each side's first peer. */
export function connectPair(a: TestNode, b: TestNode): Promise<[Peer, Peer]> {
  befriend(a, b)
  const peers = Promise.all([nextPeer(a.net), nextPeer(b.net)])
  a.net.addContact(b.keyPair.publicKey)
  b.net.addContact(a.keyPair.publicKey)
  return peers
}
